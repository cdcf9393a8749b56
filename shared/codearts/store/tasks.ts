import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { batchGet } from '../../storage/batch-get';
import { unlessConditionFails, type TransactItem } from '../../storage/transact';
import type { TaskRecord } from '../records';
import { dailyKey, taskKey } from './keys';

/**
 * Build task items. The task keeps its build counter (`buildCount`, the last build_no) and the set
 * of builds still in flight; both change only in the transactions that create, stop or settle a
 * build, so they always agree with the build records.
 */
type Item = Record<string, unknown>;

function taskOf(item: Item): TaskRecord {
  const { PK: _pk, SK: _sk, inFlight, definition, ...task } = item;
  return {
    ...(task as Omit<TaskRecord, 'inFlight' | 'definition'>),
    definition: JSON.parse(definition as string) as TaskRecord['definition'],
    inFlight: inFlight ? [...(inFlight as Set<number>)].map(Number).sort((a, b) => a - b) : [],
  };
}

export async function putTask(task: TaskRecord): Promise<void> {
  const { inFlight: _none, definition, ...fields } = task;
  // The definition is the caller's JSON, kept as text: any JSON a client sends (deep nesting, 1e400) stores.
  const item = { ...taskKey(task.jobId), ...fields, definition: JSON.stringify(definition) };
  await dynamo().send(new PutCommand({ TableName: config().tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' }));
}

export async function getTask(jobId: string): Promise<TaskRecord | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: taskKey(jobId), ConsistentRead: true }));
  return result.Item ? taskOf(result.Item) : undefined;
}

/** Marks the task deleted and answers it as marked; `undefined` if it was already. */
export async function markTaskDeleted(jobId: string, now: number): Promise<TaskRecord | undefined> {
  const result = await unlessConditionFails(
    dynamo().send(
      new UpdateCommand({
        TableName: config().tableName,
        Key: taskKey(jobId),
        UpdateExpression: 'SET deletedAt = :now',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(deletedAt)',
        ExpressionAttributeValues: { ':now': now },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return result?.Attributes ? taskOf(result.Attributes) : undefined;
}

/** The task and its run count of `day`, in one consistent read. */
export async function readRunCounters(jobId: string, day: string): Promise<{ task: TaskRecord | undefined; dailyCount: number }> {
  const items = await batchGet([taskKey(jobId), dailyKey(jobId, day)], { consistent: true });
  const task = items.find((item) => item.SK === 'TASK');
  const daily = items.find((item) => item.SK !== 'TASK');
  return { task: task ? taskOf(task) : undefined, dailyCount: Number(daily?.count ?? 0) };
}

/**
 * The counter writes of a new build, for the transaction that also stores its record and
 * pipeline: build_no and the day's number each go up by one, from the values the run read (so of
 * two racing runs one wins and the other reads again), and the build joins the in-flight set.
 */
export function runCounterWrites(jobId: string, seen: { buildCount: number; day: string; dailyCount: number }, buildNo: number, dayEndsAt: number): TransactItem[] {
  const table = config().tableName;
  return [
    {
      Update: {
        TableName: table,
        Key: taskKey(jobId),
        UpdateExpression: 'ADD buildCount :one, inFlight :build',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(deletedAt) AND buildCount = :seen',
        ExpressionAttributeValues: { ':one': 1, ':build': new Set([buildNo]), ':seen': seen.buildCount },
      },
    },
    {
      Update: {
        TableName: table,
        Key: dailyKey(jobId, seen.day),
        UpdateExpression: 'ADD #count :one SET ExpiresAt = :expires',
        ConditionExpression: seen.dailyCount === 0 ? 'attribute_not_exists(#count)' : '#count = :seen',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1, ':expires': Math.floor(dayEndsAt / 1000) + 2 * 86400, ...(seen.dailyCount === 0 ? {} : { ':seen': seen.dailyCount }) },
      },
    },
  ];
}

/** Goes with a build record's final write: the build leaves the task's in-flight set. */
export function leaveInFlight(jobId: string, buildNo: number): TransactItem {
  return {
    Update: {
      TableName: config().tableName,
      Key: taskKey(jobId),
      UpdateExpression: 'DELETE inFlight :build',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':build': new Set([buildNo]) },
    },
  };
}
