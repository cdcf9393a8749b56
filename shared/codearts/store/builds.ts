import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { batchGet } from '../../storage/batch-get';
import { queryAll } from '../../storage/query-all';
import { queryFirst } from '../../storage/query-first';
import type { TransactItem } from '../../storage/transact';
import { IN_FLIGHT, type BuildState } from '../pipeline/build-status';
import type { BuildRecord } from '../records';
import { buildKey, buildSk, buildsByTime, buildTimeSk, pad, taskPk } from './keys';

/**
 * Build records. A record is written once with its pipeline; afterwards only its status moves,
 * always by a write conditioned on it still being QUEUED or RUNNING, so a stop (ABORTED) and a
 * build found finished (SUCCESS, FAILURE) can never overwrite each other.
 */
type Item = Record<string, unknown>;

function recordOf(item: Item): BuildRecord {
  const { PK: _pk, SK: _sk, GSI1PK: _g, GSI1SK: _s, ...record } = item;
  return record as unknown as BuildRecord;
}

export function putBuild(record: BuildRecord): TransactItem {
  return {
    Put: {
      TableName: config().tableName,
      Item: { ...buildKey(record.jobId, record.buildNo), GSI1PK: buildsByTime(record.jobId), GSI1SK: buildTimeSk(record.createdAt, record.buildNo), ...record },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

export async function getBuild(jobId: string, buildNo: number): Promise<BuildRecord | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: buildKey(jobId, buildNo), ConsistentRead: true }));
  return result.Item ? recordOf(result.Item) : undefined;
}

export async function getBuilds(jobId: string, buildNos: readonly number[]): Promise<BuildRecord[]> {
  const items = await batchGet(buildNos.map((buildNo) => buildKey(jobId, buildNo)), { consistent: true });
  return items.map(recordOf).sort((a, b) => b.buildNo - a.buildNo);
}

/** The final state of a build still in flight (stopped, or found finished); fails if it no longer is. */
export function finishBuild(record: Pick<BuildRecord, 'jobId' | 'buildNo'>, state: BuildState): TransactItem {
  const values = Object.fromEntries(IN_FLIGHT.map((status, i) => [`:inFlight${i}`, status]));
  return {
    Update: {
      TableName: config().tableName,
      Key: buildKey(record.jobId, record.buildNo),
      UpdateExpression: 'SET #status = :status, startedAt = :started, finishedAt = :finished',
      ConditionExpression: `#status IN (${Object.keys(values).join(', ')})`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ...values, ':status': state.status, ':started': state.startedAt, ':finished': state.finishedAt },
    },
  };
}

/** The first build number created at or after `since` (the start of history's interval). */
export async function firstBuildSince(jobId: string, since: number): Promise<number | undefined> {
  const item = await queryFirst({
    TableName: config().tableName,
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK >= :since',
    ExpressionAttributeValues: { ':pk': buildsByTime(jobId), ':since': pad(since, 15) },
  });
  return item ? Number(item.buildNo) : undefined;
}

/** Builds `low`…`high` (one page of history, at most 100), newest first. */
export async function buildRange(jobId: string, low: number, high: number): Promise<BuildRecord[]> {
  const items = await queryAll({
    TableName: config().tableName,
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :low AND :high',
    ExpressionAttributeValues: { ':pk': taskPk(jobId), ':low': buildSk(low), ':high': buildSk(high) },
    ScanIndexForward: false,
    ConsistentRead: true,
  });
  return items.map(recordOf);
}
