import { GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, dynamoPlain, itemOf } from '../../aws/clients';
import { config } from '../../config';
import type { TransactItem } from '../../storage/transact';
import { batchGet } from '../../storage/batch-get';
import { queryAll } from '../../storage/query-all';
import { isParentJob, JOB_STATE_FIELDS, type Job, type JobState, type JobSummary, type TaskGroupSummary } from '../structs/job';
import { deriveJobStatus, jobStatusOf, statusFollowsStop, type JobStatusCounters } from '../status/job-status';
import { isPossibleJobId } from '../structs/validate-ids';
import { childrenOf, JOB_SK, jobKey, jobListKeys, jobListPartitions, jobPk, PERIODIC_JOBS, periodicSortKey, versionSk } from './keys';
import { walkOrdered, walkSortKeys, type OrderedWalk } from './ordered-walk';

/**
 * The job item: the current spec (a JSON string, so any job round-trips exactly), its version
 * and indexes, the group summary counters and the counters the job status is derived from.
 * Status is never stored: it is computed from the counters whenever the job is read.
 */
export interface JobRecord {
  job: Job;
  summary: JobSummary;
  counters: JobStatusCounters;
  /** The job's one blocked evaluation, if it has one. */
  blockedEvalId?: string;
}

const EMPTY_GROUP_SUMMARY: TaskGroupSummary = {
  Queued: 0,
  Complete: 0,
  Failed: 0,
  Running: 0,
  Starting: 0,
  Lost: 0,
  Unknown: 0,
};

type Item = Record<string, any>;

export function specOf(job: Job): string {
  const spec: Record<string, unknown> = { ...job };
  for (const field of JOB_STATE_FIELDS) delete spec[field];
  return JSON.stringify(spec);
}

function countersOf(item: Item): JobStatusCounters {
  return {
    LiveAllocs: Number(item.LiveAllocs ?? 0),
    OpenEvals: Number(item.OpenEvals ?? 0),
    ActiveDeployments: Number(item.ActiveDeployments ?? 0),
    HadEval: Boolean(item.HadEval),
  };
}

export function jobRecordFromItem(item: Item): JobRecord {
  const spec = JSON.parse(item.Spec) as Job;
  const counters = countersOf(item);
  const job: Job = {
    ...spec,
    Status: 'pending',
    StatusDescription: item.StatusDescription ?? '',
    Stable: Boolean(item.Stable),
    Version: Number(item.Version),
    SubmitTime: Number(item.SubmitTime),
    CreateIndex: Number(item.CreateIndex),
    ModifyIndex: Number(item.ModifyIndex),
    JobModifyIndex: Number(item.JobModifyIndex),
  };
  job.Status = deriveJobStatus(job, counters);
  const groups: Record<string, TaskGroupSummary> = {};
  for (const [name, counts] of Object.entries((item.Summary ?? {}) as Record<string, Partial<TaskGroupSummary>>)) {
    groups[name] = { ...EMPTY_GROUP_SUMMARY, ...counts };
  }
  return {
    job,
    counters,
    blockedEvalId: item.BlockedEvalID,
    summary: {
      JobID: job.ID,
      Namespace: job.Namespace,
      Summary: groups,
      Children: { Pending: 0, Running: 0, Dead: 0, ...(item.Children ?? {}) },
      CreateIndex: Number(item.CreateIndex),
      ModifyIndex: Number(item.SummaryModifyIndex ?? item.CreateIndex),
    },
  };
}

/** The job item, consistent, through the plain client (dynamoPlain), which skips the document client's work. */
async function getJobAttributes(namespace: string, jobId: string): Promise<Record<string, AttributeValue> | undefined> {
  const key = { PK: { S: jobPk(namespace, jobId) }, SK: { S: JOB_SK } };
  return (await dynamoPlain().send(new GetItemCommand({ TableName: config().tableName, Key: key, ConsistentRead: true }))).Item;
}

/** The job; with `children`, a parent's Children summary too (one more query). */
export async function readJob(namespace: string, jobId: string, options: { children?: boolean } = {}): Promise<JobRecord | undefined> {
  const item = await getJobAttributes(namespace, jobId);
  if (!item) return undefined;
  const record = jobRecordFromItem(itemOf(item));
  return options.children ? withChildren(record) : record;
}

/** A job as stored: the JSON text of its spec, not parsed, and its state. */
export interface JobText {
  spec: string;
  state: JobState;
}

/**
 * The job the way `GET /v1/job/:id` serves it (wire/job.ts): one GetItem through the plain client,
 * the few attribute values it needs read here and the spec left as the text it is stored as (a
 * ProjectionExpression of those costs DynamoDB more than sending the rest of the item). Its status
 * comes from the counters and the StatusFollowsStop and Stop attributes written beside the spec;
 * a job written before those were stored has its spec parsed for them.
 */
export async function readJobText(namespace: string, jobId: string): Promise<JobText | undefined> {
  const item = await getJobAttributes(namespace, jobId);
  if (!item) return undefined;
  const spec = item.Spec.S!;
  const counters: JobStatusCounters = {
    LiveAllocs: numberOf(item.LiveAllocs),
    OpenEvals: numberOf(item.OpenEvals),
    ActiveDeployments: numberOf(item.ActiveDeployments),
    HadEval: item.HadEval?.BOOL === true,
  };
  let status;
  if (item.StatusFollowsStop) status = jobStatusOf(item.StatusFollowsStop.BOOL === true, item.Stop?.BOOL === true, counters);
  else status = deriveJobStatus(JSON.parse(spec) as Job, counters);
  return {
    spec,
    state: {
      Status: status,
      StatusDescription: item.StatusDescription?.S ?? '',
      Stable: item.Stable?.BOOL === true,
      Version: Number(item.Version?.N),
      SubmitTime: Number(item.SubmitTime?.N),
      CreateIndex: Number(item.CreateIndex?.N),
      ModifyIndex: Number(item.ModifyIndex?.N),
      JobModifyIndex: Number(item.JobModifyIndex?.N),
    },
  };
}

function numberOf(value: AttributeValue | undefined): number {
  return value?.N === undefined ? 0 : Number(value.N);
}

/**
 * Several jobs in one round trip (BatchGet), by `jobPk` in the order asked; jobs not found are absent. Without a
 * parent's Children summary: for jobs reached through their allocations, which parents never have.
 */
export async function readJobs(refs: { namespace: string; jobId: string }[]): Promise<Map<string, JobRecord>> {
  const keys = new Map(refs.map((ref) => [jobPk(ref.namespace, ref.jobId), jobKey(ref.namespace, ref.jobId)]));
  if (keys.size === 0) return new Map();
  const found = new Map((await batchGet([...keys.values()], { consistent: true })).map((item) => [item.PK as string, item]));
  return new Map([...keys.keys()].flatMap((pk) => (found.has(pk) ? [[pk, jobRecordFromItem(found.get(pk)!)] as const] : [])));
}

/**
 * A periodic or parameterized parent's `Children` summary, counted from its children's status
 * when it is read (GSI4), so it follows every child's status change without the writers that
 * change a child having to know about its parent. The summary's index moves with the children.
 */
export async function withChildren(record: JobRecord): Promise<JobRecord> {
  if (!isParentJob(record.job)) return record;
  const items = await queryAll({
    TableName: config().tableName,
    IndexName: 'GSI4',
    KeyConditionExpression: 'GSI4PK = :pk',
    ExpressionAttributeValues: { ':pk': childrenOf(record.job.Namespace, record.job.ID) },
    ProjectionExpression: 'ModifyIndex, LiveAllocs, OpenEvals, ActiveDeployments, HadEval, Stop',
  });
  const children = { Pending: 0, Running: 0, Dead: 0 };
  let index = record.summary.ModifyIndex;
  for (const item of items) {
    const status = deriveJobStatus({ Type: record.job.Type, Stop: Boolean(item.Stop), Periodic: null, ParameterizedJob: null, Dispatched: true }, countersOf(item));
    children[status === 'pending' ? 'Pending' : status === 'running' ? 'Running' : 'Dead']++;
    index = Math.max(index, Number(item.ModifyIndex ?? 0));
  }
  return { ...record, summary: { ...record.summary, Children: children, ModifyIndex: index } };
}

export interface JobWalk {
  namespace: string;
  prefix?: string;
  /** Start at this job ID (inclusive); Nomad's next_token. */
  startAt?: string;
  reverse?: boolean;
  /** About how many jobs the caller wants at a time: the store reads this many keys and items per step. */
  pageSize: number;
}

function jobListWalk(walk: JobWalk): OrderedWalk {
  return { partitions: jobListPartitions(walk.namespace), prefix: walk.prefix, from: walk.startAt, reverse: walk.reverse ?? false, pageSize: walk.pageSize };
}

/** A namespace's jobs in ID order, the prefix and the start both key conditions, read a page at a time. */
export async function* walkJobs(walk: JobWalk): AsyncGenerator<JobRecord> {
  if (walk.prefix && !isPossibleJobId(walk.prefix)) return;
  for await (const item of walkOrdered(jobListWalk(walk))) yield jobRecordFromItem(item);
}

/** The IDs walkJobs would give, from the list's keys alone: for callers that read each job themselves. */
export async function* walkJobIds(walk: JobWalk): AsyncGenerator<string> {
  if (walk.prefix && !isPossibleJobId(walk.prefix)) return;
  yield* walkSortKeys(jobListWalk(walk));
}

export interface JobWrite {
  job: Job;
  /** `undefined` for a new job, else the JobModifyIndex the stored job must still have. */
  expectedJobModifyIndex?: number;
  index: number;
  /** The spec changed: a new version is written and SubmitTime/JobModifyIndex move. */
  specChanged: boolean;
  /** An evaluation is created in the same transaction. */
  newEval: boolean;
  /** For periodic parents: when the next child is due (unix ms); null takes the job off the launch index. */
  nextLaunch?: number | null;
}

/**
 * Writes the job item for a register, a stop or a revert, leaving the counters other writers
 * maintain untouched (an Update, never a Put). The condition is the check-and-set on
 * JobModifyIndex, which also serialises concurrent registers of one job.
 */
export function writeJobItem(write: JobWrite): TransactItem {
  const { job, index } = write;
  const names: Record<string, string> = { '#modify': 'ModifyIndex' };
  const values: Record<string, unknown> = { ':modify': index };
  const sets = ['#modify = :modify'];
  const adds: string[] = [];
  const removes: string[] = [];
  if (write.specChanged) {
    const listKeys = jobListKeys(job.Namespace, job.ID);
    Object.assign(names, {
      '#spec': 'Spec',
      '#version': 'Version',
      '#submit': 'SubmitTime',
      '#jmi': 'JobModifyIndex',
      '#stable': 'Stable',
      '#create': 'CreateIndex',
      '#gsi5pk': 'GSI5PK',
      '#gsi5sk': 'GSI5SK',
      '#gsi1pk': 'GSI1PK',
      '#gsi1sk': 'GSI1SK',
      '#summaryIndex': 'SummaryModifyIndex',
      '#stop': 'Stop',
      '#followsStop': 'StatusFollowsStop',
    });
    Object.assign(values, {
      ':spec': specOf(job),
      ':version': job.Version,
      ':submit': job.SubmitTime,
      ':jmi': index,
      ':stable': job.Stable,
      ':create': job.CreateIndex,
      ':gsi5pk': listKeys.GSI5PK,
      ':gsi5sk': listKeys.GSI5SK,
      ':stop': job.Stop,
      ':followsStop': statusFollowsStop(job),
    });
    sets.push(
      '#spec = :spec',
      '#version = :version',
      '#submit = :submit',
      '#jmi = :jmi',
      '#stable = :stable',
      '#create = if_not_exists(#create, :create)',
      '#gsi5pk = :gsi5pk',
      '#gsi5sk = :gsi5sk',
      '#summaryIndex = if_not_exists(#summaryIndex, :modify)',
      '#stop = :stop',
      '#followsStop = :followsStop',
      ...summaryEntries(write, names, values),
    );
    // Earlier versions listed the job whole in GSI1.
    removes.push('#gsi1pk', '#gsi1sk');
    if (job.ParentID) {
      names['#gsi4pk'] = 'GSI4PK';
      names['#gsi4sk'] = 'GSI4SK';
      values[':gsi4pk'] = childrenOf(job.Namespace, job.ParentID);
      values[':gsi4sk'] = job.ID;
      sets.push('#gsi4pk = :gsi4pk', '#gsi4sk = :gsi4sk');
    }
  }
  if (write.nextLaunch !== undefined) {
    names['#gsi3pk'] = 'GSI3PK';
    names['#gsi3sk'] = 'GSI3SK';
    if (write.nextLaunch === null) removes.push('#gsi3pk', '#gsi3sk');
    else {
      values[':gsi3pk'] = PERIODIC_JOBS;
      values[':gsi3sk'] = periodicSortKey(write.nextLaunch, job.Namespace, job.ID);
      sets.push('#gsi3pk = :gsi3pk', '#gsi3sk = :gsi3sk');
    }
  }
  if (write.newEval) {
    names['#open'] = 'OpenEvals';
    names['#had'] = 'HadEval';
    values[':one'] = 1;
    values[':true'] = true;
    adds.push('#open :one');
    sets.push('#had = :true');
  }
  let condition: string;
  if (write.expectedJobModifyIndex === undefined) {
    condition = 'attribute_not_exists(PK)';
  } else {
    names['#jmiCond'] = 'JobModifyIndex';
    values[':expected'] = write.expectedJobModifyIndex;
    condition = '#jmiCond = :expected';
  }
  return {
    Update: {
      TableName: config().tableName,
      Key: jobKey(job.Namespace, job.ID),
      UpdateExpression: `SET ${sets.join(', ')}${adds.length ? ` ADD ${adds.join(', ')}` : ''}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * Zeroed summary entries for the job's groups: the whole map for a new job, and for an existing
 * one only the groups it did not have (Nomad keeps the counts of groups it already tracks).
 */
function summaryEntries(write: JobWrite, names: Record<string, string>, values: Record<string, unknown>): string[] {
  names['#summary'] = 'Summary';
  if (write.expectedJobModifyIndex === undefined) {
    values[':summary'] = Object.fromEntries(write.job.TaskGroups.map((group) => [group.Name, { ...EMPTY_GROUP_SUMMARY }]));
    return ['#summary = :summary'];
  }
  values[':zeroGroup'] = { ...EMPTY_GROUP_SUMMARY };
  return write.job.TaskGroups.map((group, i) => {
    names[`#group${i}`] = group.Name;
    return `#summary.#group${i} = if_not_exists(#summary.#group${i}, :zeroGroup)`;
  });
}

/** The `VERSION#n` item of a job version. */
export function jobVersionItem(job: Job): Item {
  return { PK: jobPk(job.Namespace, job.ID), SK: versionSk(job.Version), Job: JSON.stringify(job), Version: job.Version, ModifyIndex: job.ModifyIndex };
}

export function putJobVersion(job: Job): TransactItem {
  return { Put: { TableName: config().tableName, Item: jobVersionItem(job) } };
}

function versionKey(ref: VersionRef) {
  return { PK: jobPk(ref.namespace, ref.jobId), SK: versionSk(ref.version) };
}

export async function readJobVersion(namespace: string, jobId: string, version: number): Promise<Job | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: versionKey({ namespace, jobId, version }), ConsistentRead: true }));
  return result.Item ? (JSON.parse(result.Item.Job) as Job) : undefined;
}

export interface VersionRef {
  namespace: string;
  jobId: string;
  version: number;
}

/** Several versions in one round trip (BatchGet); the lookup answers undefined for a version not found. */
export async function readJobVersions(refs: VersionRef[]): Promise<(ref: VersionRef) => Job | undefined> {
  const id = (key: { PK: string; SK: string }) => `${key.PK}\n${key.SK}`;
  const keys = new Map(refs.map((ref) => [id(versionKey(ref)), versionKey(ref)]));
  const items = await batchGet([...keys.values()], { consistent: true });
  const jobs = new Map(items.map((item) => [id(item as { PK: string; SK: string }), JSON.parse(item.Job) as Job]));
  return (ref) => jobs.get(id(versionKey(ref)));
}
