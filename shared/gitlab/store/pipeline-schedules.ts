import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import { transact, type TransactItem } from '../../storage/transact';
import type { PipelineScheduleRecord } from '../records';
import { recordOf } from './item';
import { DUE_SCHEDULES, pad, projectPk, SCHEDULE_SK_PREFIX, scheduleKey } from './keys';

/**
 * Pipeline schedules, in their project's partition (so a deleted project takes them along). An
 * active schedule is also listed by its next run time (GSI3), where the periodic duties find the
 * due ones; running one moves its next run with a write conditioned on the run it read, so two
 * deliveries of the same tick create one pipeline.
 */
const dueSortKey = (schedule: PipelineScheduleRecord) => `${pad(schedule.nextRunAt, 15)}#${pad(schedule.id)}`;
const dueKeys = (schedule: PipelineScheduleRecord) => (schedule.active ? { GSI3PK: DUE_SCHEDULES, GSI3SK: dueSortKey(schedule) } : {});

const item = (schedule: PipelineScheduleRecord) => ({ ...scheduleKey(schedule.projectId, schedule.id), ...dueKeys(schedule), ...schedule });

export async function listSchedules(projectId: number): Promise<PipelineScheduleRecord[]> {
  const items = await queryAll({
    TableName: config().tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': projectPk(projectId), ':prefix': SCHEDULE_SK_PREFIX },
    ConsistentRead: true,
  });
  return items.map((found) => recordOf<PipelineScheduleRecord>(found));
}

export async function getSchedule(projectId: number, id: number): Promise<PipelineScheduleRecord | undefined> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: scheduleKey(projectId, id), ConsistentRead: true }));
  return Item ? recordOf<PipelineScheduleRecord>(Item) : undefined;
}

export async function insertSchedule(schedule: PipelineScheduleRecord): Promise<void> {
  await transact([{ Put: { TableName: config().tableName, Item: item(schedule), ConditionExpression: 'attribute_not_exists(PK)' } }]);
}

/** Replaces the schedule as `before` was read (TransactionConflict when it changed meanwhile). */
export async function replaceSchedule(before: PipelineScheduleRecord, after: PipelineScheduleRecord): Promise<void> {
  await transact([
    {
      Put: {
        TableName: config().tableName,
        Item: item(after),
        ConditionExpression: 'attribute_exists(PK) AND updatedAt = :updated AND nextRunAt = :next',
        ExpressionAttributeValues: { ':updated': before.updatedAt, ':next': before.nextRunAt },
      },
    },
  ]);
}

export async function deleteSchedule(schedule: PipelineScheduleRecord): Promise<void> {
  await transact([{ Delete: { TableName: config().tableName, Key: scheduleKey(schedule.projectId, schedule.id) } }]);
}

/**
 * Moves an active schedule from the run it was read at to its next one, recording the pipeline of
 * that run (if one was created); only those fields, so an edit made meanwhile (its variables) stays.
 */
export function advanceSchedule(schedule: PipelineScheduleRecord, nextRunAt: number, lastPipelineId: number | null): TransactItem {
  return {
    Update: {
      TableName: config().tableName,
      Key: scheduleKey(schedule.projectId, schedule.id),
      UpdateExpression: `SET nextRunAt = :next, GSI3SK = :listed${lastPipelineId === null ? '' : ', lastPipelineId = :pipeline'}`,
      ConditionExpression: 'attribute_exists(PK) AND active = :active AND nextRunAt = :due',
      ExpressionAttributeValues: {
        ':next': nextRunAt,
        ':listed': dueSortKey({ ...schedule, nextRunAt }),
        ':active': true,
        ':due': schedule.nextRunAt,
        ...(lastPipelineId === null ? {} : { ':pipeline': lastPipelineId }),
      },
    },
  };
}

/** Records the pipeline `play` created (the schedule's next run stays as it is). */
export async function setLastPipeline(schedule: PipelineScheduleRecord, pipelineId: number): Promise<void> {
  await transact([
    {
      Update: {
        TableName: config().tableName,
        Key: scheduleKey(schedule.projectId, schedule.id),
        UpdateExpression: 'SET lastPipelineId = :pipeline',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':pipeline': pipelineId },
      },
    },
  ]);
}

/** Active schedules whose next run has come (as listed: read each again before running it). */
export async function queryDueSchedules(now: number, limit = 100): Promise<{ projectId: number; id: number }[]> {
  const result = await dynamo().send(
    new QueryCommand({
      TableName: config().tableName,
      IndexName: 'GSI3',
      KeyConditionExpression: 'GSI3PK = :queue AND GSI3SK < :now',
      ExpressionAttributeValues: { ':queue': DUE_SCHEDULES, ':now': `${pad(now, 15)}$` },
      Limit: limit,
    }),
  );
  return (result.Items ?? []).map((found) => ({ projectId: Number(found.projectId), id: Number(found.id) }));
}
