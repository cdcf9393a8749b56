import { GetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { batchGet } from '../../storage/batch-get';
import { queryAll } from '../../storage/query-all';
import type { TransactItem } from '../../storage/transact';
import type { JobRecord } from '../records';
import type { JobStatus } from '../state/statuses';
import { recordOf } from './item';
import { stuckAfter } from '../state/stuck';
import { jobKey, jobPointerKey, pad, PENDING_QUEUE, projectJobsIndex, runnerJobsIndex, RUNNING_QUEUE, SCHEDULED_QUEUE } from './keys';
import { buildUpdate } from './update-expression';

/**
 * Job items live in their pipeline's partition (processing reads a pipeline and all its jobs in
 * one consistent query). A pointer item maps a job id to that partition; it never changes, so it
 * is cached in the process. Index keys follow the status: builds are listed per project (GSI1),
 * pending builds wait in the runners' queue and delayed jobs in the schedule (GSI3).
 */
type Item = Record<string, unknown>;

function queueKeys(job: Pick<JobRecord, 'id' | 'type' | 'status' | 'scheduledAt' | 'startedAt' | 'definition'>): { GSI3PK?: string; GSI3SK?: string } {
  if (job.status === 'pending' && job.type === 'build') return { GSI3PK: PENDING_QUEUE, GSI3SK: pad(job.id) };
  if ((job.status === 'running' || job.status === 'canceling') && job.type === 'build' && job.startedAt !== null) {
    return { GSI3PK: RUNNING_QUEUE, GSI3SK: `${pad(stuckAfter(job), 15)}#${pad(job.id)}` };
  }
  if (job.status === 'scheduled' && job.scheduledAt !== null) return { GSI3PK: SCHEDULED_QUEUE, GSI3SK: `${pad(job.scheduledAt, 15)}#${pad(job.id)}` };
  return {};
}

/** A build a runner took is listed under that runner (GSI2), for `GET /runners/:id/jobs`. */
function runnerKeys(job: Pick<JobRecord, 'id' | 'runnerId'>): { GSI2PK?: string; GSI2SK?: string } {
  return job.runnerId ? { GSI2PK: runnerJobsIndex(job.runnerId), GSI2SK: pad(job.id) } : {};
}

function jobItem(job: JobRecord): Item {
  const listed = job.type === 'build' ? { GSI1PK: projectJobsIndex(job.projectId), GSI1SK: pad(job.id) } : {};
  return { ...jobKey(job.pipelineId, job.id), ...listed, ...queueKeys(job), ...runnerKeys(job), ...job };
}

export function putJob(job: JobRecord, condition = 'attribute_not_exists(PK)'): TransactItem {
  return { Put: { TableName: config().tableName, Item: jobItem(job), ConditionExpression: condition } };
}

export function putJobPointer(job: JobRecord): TransactItem {
  return {
    Put: {
      TableName: config().tableName,
      Item: { ...jobPointerKey(job.id), pipelineId: job.pipelineId, projectId: job.projectId, type: job.type },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

export function jobFromItem(item: Item): JobRecord {
  return recordOf<JobRecord>(item);
}

/**
 * A conditional change of one job: it applies only if the job still has one of `expected`
 * statuses (the compare-and-set that keeps concurrent transitions from being lost or doubled).
 */
export function updateJob(job: JobRecord, changes: Partial<JobRecord>, expected: JobStatus[], extraCondition?: { expression: string; names?: Record<string, string>; values: Item }): TransactItem {
  const next = { ...job, ...changes };
  const set: Item = { ...changes, updatedAt: changes.updatedAt ?? Date.now() };
  const remove: string[] = [];
  if (changes.status !== undefined || changes.scheduledAt !== undefined || changes.startedAt !== undefined) {
    const queue = queueKeys(next);
    if (queue.GSI3PK) Object.assign(set, queue);
    else remove.push('GSI3PK', 'GSI3SK');
  }
  if (changes.runnerId !== undefined) {
    const listed = runnerKeys(next);
    if (listed.GSI2PK) Object.assign(set, listed);
    else remove.push('GSI2PK', 'GSI2SK');
  }
  const parts = buildUpdate(set, remove);
  const statusValues = Object.fromEntries(expected.map((status, i) => [`:expected${i}`, status]));
  let condition = `#jobStatus IN (${Object.keys(statusValues).join(', ')})`;
  if (extraCondition) condition += ` AND ${extraCondition.expression}`;
  return {
    Update: {
      TableName: config().tableName,
      Key: jobKey(job.pipelineId, job.id),
      ...parts,
      ConditionExpression: condition,
      ExpressionAttributeNames: { ...parts.ExpressionAttributeNames, ...(extraCondition?.names ?? {}), '#jobStatus': 'status' },
      ExpressionAttributeValues: { ...parts.ExpressionAttributeValues, ...statusValues, ...(extraCondition?.values ?? {}) },
    },
  };
}

type Location = { pipelineId: number; projectId: number };

const pointers = new Map<number, Location>();

function remember(jobId: number, pointer: Item): Location {
  const location = { pipelineId: Number(pointer.pipelineId), projectId: Number(pointer.projectId) };
  if (pointers.size > 10_000) pointers.clear();
  pointers.set(jobId, location);
  return location;
}

async function jobLocation(jobId: number): Promise<Location | undefined> {
  const cached = pointers.get(jobId);
  if (cached) return cached;
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: jobPointerKey(jobId), ConsistentRead: true }));
  return result.Item ? remember(jobId, result.Item) : undefined;
}

export async function getJob(jobId: number): Promise<JobRecord | undefined> {
  const location = await jobLocation(jobId);
  if (!location) return undefined;
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: jobKey(location.pipelineId, jobId), ConsistentRead: true }));
  return result.Item ? jobFromItem(result.Item) : undefined;
}

/** Jobs by id (missing ones left out), in BatchGets: the pointers not cached yet, then the jobs. */
export async function getJobs(jobIds: Iterable<number>): Promise<Map<number, JobRecord>> {
  const locations = new Map<number, Location>();
  const unknown: number[] = [];
  for (const id of new Set(jobIds)) {
    const cached = pointers.get(id);
    if (cached) locations.set(id, cached);
    else unknown.push(id);
  }
  const pointerIds = new Map(unknown.map((id) => [jobPointerKey(id).PK, id]));
  for (const pointer of await batchGet(unknown.map(jobPointerKey), { consistent: true })) {
    const id = pointerIds.get(pointer.PK)!;
    locations.set(id, remember(id, pointer));
  }
  const items = await batchGet([...locations].map(([id, location]) => jobKey(location.pipelineId, id)), { consistent: true });
  return new Map(items.map((item) => [Number(item.id), jobFromItem(item)]));
}

/** Jobs whose pipelines are known (missing ones left out), in one consistent BatchGet. */
export async function getPipelineJobs(refs: readonly { pipelineId: number; jobId: number }[]): Promise<Map<number, JobRecord>> {
  const items = await batchGet(refs.map((ref) => jobKey(ref.pipelineId, ref.jobId)), { consistent: true });
  return new Map(items.map((item) => [Number(item.id), jobFromItem(item)]));
}

/** A transaction's check that the job still has the status it was read with. */
export function jobStatusCheck(job: JobRecord): TransactItem {
  return {
    ConditionCheck: {
      TableName: config().tableName,
      Key: jobKey(job.pipelineId, job.id),
      ConditionExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': job.status },
    },
  };
}

export interface ProjectJobsPage {
  jobs: JobRecord[];
  /** Set when more jobs follow. */
  hasMore: boolean;
  /** The last job's id, for keyset cursors. */
  lastId?: number;
}

/**
 * A project's builds, newest first, optionally only some statuses: skips `offset` matches and
 * returns up to `limit`, reading the index page by page only as far as needed.
 */
export async function listProjectJobs(projectId: number, options: { statuses?: JobStatus[]; offset: number; limit: number; beforeId?: number }): Promise<ProjectJobsPage> {
  const names: Record<string, string> = { '#pk': 'GSI1PK' };
  const values: Record<string, unknown> = { ':pk': projectJobsIndex(projectId) };
  let condition = '#pk = :pk';
  if (options.beforeId !== undefined) {
    names['#sk'] = 'GSI1SK';
    values[':before'] = pad(options.beforeId);
    condition += ' AND #sk < :before';
  }
  let filter: string | undefined;
  if (options.statuses && options.statuses.length > 0) {
    names['#status'] = 'status';
    options.statuses.forEach((status, i) => (values[`:s${i}`] = status));
    filter = `#status IN (${options.statuses.map((_, i) => `:s${i}`).join(', ')})`;
  }
  const wanted = options.offset + options.limit + 1;
  const matched: JobRecord[] = [];
  let startKey: Item | undefined;
  do {
    const input: QueryCommandInput = {
      TableName: config().tableName,
      IndexName: 'GSI1',
      KeyConditionExpression: condition,
      FilterExpression: filter,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
      Limit: Math.min(Math.max(wanted - matched.length, 25), 500),
      ExclusiveStartKey: startKey,
    };
    const result = await dynamo().send(new QueryCommand(input));
    matched.push(...(result.Items ?? []).map(jobFromItem));
    startKey = result.LastEvaluatedKey;
  } while (startKey && matched.length < wanted);
  const jobs = matched.slice(options.offset, options.offset + options.limit);
  return { jobs, hasMore: matched.length > options.offset + options.limit, lastId: jobs.at(-1)?.id };
}

/** Pending builds, oldest first (the runners' queue); eventually consistent, claims re-check. */
export async function queryPendingJobs(limit: number, exclusiveStartKey?: Item): Promise<{ jobs: JobRecord[]; lastKey?: Item }> {
  const result = await dynamo().send(
    new QueryCommand({
      TableName: config().tableName,
      IndexName: 'GSI3',
      KeyConditionExpression: 'GSI3PK = :queue',
      ExpressionAttributeValues: { ':queue': PENDING_QUEUE },
      ScanIndexForward: true,
      Limit: limit,
      ExclusiveStartKey: exclusiveStartKey,
    }),
  );
  return { jobs: (result.Items ?? []).map(jobFromItem), lastKey: result.LastEvaluatedKey };
}

/** Jobs of a GSI3 queue sorted by a time (`<time, padded>#<job id>`) that has passed. */
async function queryDue(queue: string, now: number, limit: number): Promise<JobRecord[]> {
  const result = await dynamo().send(
    new QueryCommand({
      TableName: config().tableName,
      IndexName: 'GSI3',
      KeyConditionExpression: 'GSI3PK = :queue AND GSI3SK < :now',
      ExpressionAttributeValues: { ':queue': queue, ':now': `${pad(now, 15)}$` },
      Limit: limit,
    }),
  );
  return (result.Items ?? []).map(jobFromItem);
}

/** Delayed jobs whose time has come. */
export const queryDueScheduledJobs = (now: number, limit = 100) => queryDue(SCHEDULED_QUEUE, now, limit);

/** Running builds whose time ran out an hour ago without a final update from their runner. */
export const queryStuckRunningJobs = (now: number, limit = 100) => queryDue(RUNNING_QUEUE, now, limit);

/**
 * The builds a runner took, by id (`sort`), optionally of some statuses and only in `projectIds`
 * (what a viewer may read; all when undefined): skips `offset` matches and returns up to `limit`.
 */
export async function listRunnerJobs(
  runnerId: number,
  options: { statuses?: JobStatus[]; projectIds?: ReadonlySet<number>; sort: 'asc' | 'desc'; offset: number; limit: number },
): Promise<{ jobs: JobRecord[]; total: number }> {
  const items = await queryAll({
    TableName: config().tableName,
    IndexName: 'GSI2',
    KeyConditionExpression: 'GSI2PK = :pk',
    ExpressionAttributeValues: { ':pk': runnerJobsIndex(runnerId) },
    ScanIndexForward: options.sort === 'asc',
  });
  const matching = items
    .map(jobFromItem)
    .filter((job) => !options.statuses || options.statuses.includes(job.status))
    .filter((job) => !options.projectIds || options.projectIds.has(job.projectId));
  return { jobs: matching.slice(options.offset, options.offset + options.limit), total: matching.length };
}
