import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { batchGet } from '../../storage/batch-get';
import { queryAll } from '../../storage/query-all';
import { unlessConditionFails } from '../../storage/transact';
import type { RunnerRecord } from '../records';
import { recordOf } from './item';
import { pad, runnerKey, RUNNERS_INDEX } from './keys';
import { buildUpdate } from './update-expression';

/** Runners, listed together (GSI1) so enqueueing a job can tell the runners that may take it. */
export function newQueueValue(): string {
  return randomBytes(8).toString('hex');
}

export async function putRunner(runner: RunnerRecord): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: config().tableName,
      Item: { ...runnerKey(runner.id), GSI1PK: RUNNERS_INDEX, GSI1SK: pad(runner.id), ...runner },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
}

export async function getRunner(id: number): Promise<RunnerRecord | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: runnerKey(id), ConsistentRead: true }));
  return result.Item && !result.Item.deleted ? recordOf<RunnerRecord>(result.Item) : undefined;
}

/** Runners by id (deleted ones are left out), in one BatchGet. */
export async function getRunners(ids: Iterable<number>): Promise<Map<number, RunnerRecord>> {
  const items = await batchGet([...new Set(ids)].map(runnerKey), { consistent: true });
  return new Map(items.filter((item) => !item.deleted).map((item) => [Number(item.id), recordOf<RunnerRecord>(item)]));
}

export async function listRunners(): Promise<RunnerRecord[]> {
  const items = await queryAll({ TableName: config().tableName, IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': RUNNERS_INDEX } });
  return items.map((item) => recordOf<RunnerRecord>(item));
}

export async function updateRunner(id: number, changes: Partial<RunnerRecord>): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: config().tableName,
      Key: runnerKey(id),
      ...buildUpdate(changes),
      ConditionExpression: 'attribute_exists(PK)',
    }),
  );
}

/** Unlisted and unusable; the item stays so jobs that ran on it still name it. */
export async function deleteRunner(id: number): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: config().tableName,
      Key: runnerKey(id),
      UpdateExpression: 'SET deleted = :true REMOVE GSI1PK, GSI1SK',
      ExpressionAttributeValues: { ':true': true },
    }),
  );
}

/** Tells the runner's next `POST /jobs/request` that something changed (X-GitLab-Last-Update). */
export async function bumpQueueValue(id: number): Promise<void> {
  await updateRunner(id, { queueValue: newQueueValue() });
}

/** Records a runner's contact unless one was recorded less than `intervalMs` ago (one conditional write, no read). */
export async function heartbeatRunner(id: number, now: number, intervalMs: number): Promise<void> {
  await unlessConditionFails(
    dynamo().send(
      new UpdateCommand({
        TableName: config().tableName,
        Key: runnerKey(id),
        UpdateExpression: 'SET contactedAt = :now',
        ConditionExpression: 'attribute_exists(PK) AND (attribute_type(contactedAt, :null) OR contactedAt < :before)',
        ExpressionAttributeValues: { ':now': now, ':before': now - intervalMs, ':null': 'NULL' },
      }),
    ),
  );
}
