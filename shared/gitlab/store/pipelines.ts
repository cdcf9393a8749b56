import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { batchGet } from '../../storage/batch-get';
import { queryAll } from '../../storage/query-all';
import type { TransactItem } from '../../storage/transact';
import type { JobRecord, PipelineRecord } from '../records';
import { recordOf } from './item';
import { JOB_SK_PREFIX, pad, pipelineKey, pipelinePk, projectPipelinesIndex, UNPROCESSED_PIPELINES } from './keys';
import { jobFromItem } from './jobs';
import { buildUpdate } from './update-expression';

/**
 * The pipeline item and the partition it shares with its jobs. Every write to a job also bumps
 * the pipeline's `jobsVersion` and marks it unprocessed (GSI4); processing writes its result only
 * on the version it read, and clears the mark, so a crash between a job's change and the
 * processing that follows is found again by the periodic duties.
 */
type Item = Record<string, unknown>;

function unprocessedKeys(pipeline: Pick<PipelineRecord, 'id'>, now: number) {
  return { GSI4PK: UNPROCESSED_PIPELINES, GSI4SK: `${pad(now, 15)}#${pad(pipeline.id)}` };
}

/** A new pipeline; `unprocessed` when its jobs are stored before they were processed. */
export function putPipeline(pipeline: PipelineRecord, options: { unprocessed: boolean }): TransactItem {
  return {
    Put: {
      TableName: config().tableName,
      Item: {
        ...pipelineKey(pipeline.id),
        GSI1PK: projectPipelinesIndex(pipeline.projectId),
        GSI1SK: pad(pipeline.id),
        ...(options.unprocessed ? unprocessedKeys(pipeline, pipeline.createdAt) : {}),
        ...pipeline,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/** Goes with every job write: the pipeline's jobs changed. */
export function touchPipeline(pipelineId: number, now = Date.now()): TransactItem {
  const parts = buildUpdate(unprocessedKeys({ id: pipelineId }, now), [], { jobsVersion: 1 });
  return {
    Update: {
      TableName: config().tableName,
      Key: pipelineKey(pipelineId),
      ...parts,
      ConditionExpression: 'attribute_exists(PK)',
    },
  };
}

/** Processing's write: the pipeline's new state, only if no job changed since `readVersion`. */
export function updateProcessedPipeline(pipelineId: number, readVersion: number, changes: Partial<PipelineRecord>, jobsChanged: boolean): TransactItem {
  const set: Item = { ...changes };
  if (jobsChanged) set.jobsVersion = readVersion + 1;
  // Processing runs to a fixed point, so what it writes is processed: the mark goes.
  const parts = buildUpdate(set, ['GSI4PK', 'GSI4SK']);
  return {
    Update: {
      TableName: config().tableName,
      Key: pipelineKey(pipelineId),
      ...parts,
      ConditionExpression: '#version = :readVersion',
      ExpressionAttributeNames: { ...parts.ExpressionAttributeNames, '#version': 'jobsVersion' },
      ExpressionAttributeValues: { ...parts.ExpressionAttributeValues, ':readVersion': readVersion },
    },
  };
}

/** The pipeline and all its jobs (retried ones included), newest job first, in one consistent read. */
export async function readPipelineWithJobs(id: number): Promise<{ pipeline: PipelineRecord; jobs: JobRecord[]; unprocessed: boolean } | undefined> {
  const items = await queryAll({ TableName: config().tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': pipelinePk(id) }, ConsistentRead: true, ScanIndexForward: false });
  const item = items.find((candidate) => candidate.SK === 'PIPELINE');
  if (!item) return undefined;
  const jobs = items.filter((candidate) => String(candidate.SK).startsWith(JOB_SK_PREFIX)).map(jobFromItem);
  return { pipeline: recordOf<PipelineRecord>(item), jobs, unprocessed: item.GSI4PK !== undefined };
}

/** Pipelines by id (without their jobs), in one BatchGet. */
export async function getPipelines(ids: Iterable<number>): Promise<Map<number, PipelineRecord>> {
  const items = await batchGet([...new Set(ids)].map(pipelineKey), { consistent: true });
  return new Map(items.map((item) => [Number(item.id), recordOf<PipelineRecord>(item)]));
}

/** Pipelines left unprocessed for longer than `olderThan` ms (a crash after a job changed). */
export async function queryUnprocessedPipelines(before: number, limit = 50): Promise<number[]> {
  const result = await dynamo().send(
    new QueryCommand({
      TableName: config().tableName,
      IndexName: 'GSI4',
      KeyConditionExpression: 'GSI4PK = :pk AND GSI4SK < :before',
      ExpressionAttributeValues: { ':pk': UNPROCESSED_PIPELINES, ':before': pad(before, 15) },
      Limit: limit,
    }),
  );
  return (result.Items ?? []).map((item) => Number(item.id));
}
