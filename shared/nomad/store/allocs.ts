import { isDeepStrictEqual } from 'node:util';
import { config } from '../../config';
import { batchGet } from '../../storage/batch-get';
import { queryAll } from '../../storage/query-all';
import type { TransactItem } from '../../storage/transact';
import type { AllocatedResources, AllocDeploymentStatus, Allocation } from '../structs/allocation';
import type { ClientAllocUpdate } from '../wire/client-protocol';
import { claimOf, compactMetric, compactResources, expandMetric, expandResources, OMITTED_DEFAULTS } from './alloc-compact';
import { findItemById } from './find-by-id';
import { allocSk, byId, createOrderKeys, jobPk, nodeAllocsKey } from './keys';
import { readJobVersions, type VersionRef } from './jobs';
import { queryJobItems } from './job-items';
import type { AllocClaim, StoredAlloc } from '../structs/cluster-state';
import type { AllocMetric } from '../structs/evaluation';

export type { AllocClaim, StoredAlloc };

/**
 * Allocation items live in their job's partition (so the scheduler reads them consistently)
 * and carry, besides the Allocation's own fields:
 * - JobVersion / JobCreateIndex / JobModifyIndex of the job version they run (the Job itself is
 *   not copied into every allocation; it is joined from the version item when served);
 * - Live: not terminal. Every transition out of Live is a conditional write on `Live = true`, so the
 *   capacity it held on its node and the job's LiveAllocs counter are released exactly once;
 * - Claim: the node capacity it holds while Live (left out when its resources say it).
 *
 * Every placement writes the item and four index entries of it, each billed per KB, so it is
 * kept under 1 KB (docs/scale.md): fields at their defaults are left out, AllocatedResources and
 * Metrics are stored compactly (alloc-compact.ts; `R`, `M`), AllocModifyIndex and ModifyTime only
 * once they differ from CreateIndex and CreateTime. Reading restores all of them, in Nomad's field
 * order; items written whole by earlier versions read as they were.
 */
type Item = Record<string, any>;

const META_ATTRIBUTES = new Set([
  'PK',
  'SK',
  'GSI2PK',
  'GSI2SK',
  'GSI3PK',
  'GSI3SK',
  'GSI1PK',
  'GSI1SK',
  'GSI4PK',
  'GSI4SK',
  'GSI5PK',
  'GSI5SK',
  'GSI6PK',
  'GSI6SK',
  'JobVersion',
  'JobCreateIndex',
  'JobModifyIndex',
  'Live',
  'Claim',
  'R',
  'M',
]);

/** Nomad's Allocation fields in its struct's order (`Job`, joined when served, follows JobID). */
const FIELD_ORDER: (keyof Allocation)[] = [
  'ID',
  'Namespace',
  'EvalID',
  'Name',
  'NodeID',
  'NodeName',
  'JobID',
  'TaskGroup',
  'AllocatedResources',
  'Metrics',
  'DesiredStatus',
  'DesiredDescription',
  'DesiredTransition',
  'ClientStatus',
  'ClientDescription',
  'TaskStates',
  'AllocStates',
  'PreviousAllocation',
  'NextAllocation',
  'DeploymentID',
  'DeploymentStatus',
  'RescheduleTracker',
  'NetworkStatus',
  'FollowupEvalID',
  'PreemptedAllocations',
  'PreemptedByAllocation',
  'SignedIdentities',
  'CreateIndex',
  'ModifyIndex',
  'AllocModifyIndex',
  'CreateTime',
  'ModifyTime',
];

const NO_CLAIM: AllocClaim = { CpuShares: 0, MemoryMB: 0, DiskMB: 0 };

export function allocItem(stored: StoredAlloc): Item {
  const { Job: _job, AllocatedResources, Metrics, DesiredTransition, AllocModifyIndex, ModifyTime, ...fields } = stored.alloc;
  const item: Item = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && OMITTED_DEFAULTS[name as keyof Allocation] !== value) item[name] = value;
  }
  const resources = compactResources(AllocatedResources);
  if (resources) item.R = resources;
  else item.AllocatedResources = AllocatedResources;
  if (!resources || !isDeepStrictEqual(claimOf(AllocatedResources), stored.claim)) item.Claim = stored.claim;
  if (Metrics) {
    const metric = compactMetric(Metrics, fields.NodeID);
    if (metric) item.M = metric;
    else item.Metrics = Metrics;
  }
  // Kept as a map (of the transitions set) so that one can be set by its path.
  item.DesiredTransition = Object.fromEntries(Object.entries(DesiredTransition ?? {}).filter(([, value]) => value !== null && value !== undefined));
  if (AllocModifyIndex !== fields.CreateIndex) item.AllocModifyIndex = AllocModifyIndex;
  if (ModifyTime !== fields.CreateTime) item.ModifyTime = ModifyTime;
  return {
    ...item,
    PK: jobPk(fields.Namespace, fields.JobID),
    SK: allocSk(fields.ID),
    ...byId('ALLOC', fields.ID),
    GSI3PK: nodeAllocsKey(fields.NodeID),
    GSI3SK: fields.ID,
    ...createOrderKeys('ALLOC', fields.Namespace, fields.CreateIndex, fields.ID),
    JobVersion: stored.jobVersion,
    JobCreateIndex: stored.jobCreateIndex,
    JobModifyIndex: stored.jobModifyIndex,
    Live: stored.live,
  };
}

/** A whole stored part (as earlier versions wrote it) in Nomad's field order where it has the compact shape. */
function inNomadOrder<T>(whole: T, compact: (whole: T) => unknown[] | undefined, expand: (compact: unknown[]) => T): T {
  const compacted = compact(whole);
  return compacted ? expand(compacted) : whole;
}

export function storedAllocFromItem(item: Item): StoredAlloc {
  const resources: AllocatedResources | undefined = item.R ? expandResources(item.R) : item.AllocatedResources && inNomadOrder(item.AllocatedResources, compactResources, expandResources);
  const transition = item.DesiredTransition ?? {};
  const restored: Item = {
    AllocatedResources: resources,
    Metrics: item.M ? expandMetric(item.M, item.NodeID) : item.Metrics ? inNomadOrder<AllocMetric>(item.Metrics, (whole) => compactMetric(whole, item.NodeID), (compact) => expandMetric(compact, item.NodeID)) : null,
    DesiredTransition: {
      Migrate: transition.Migrate ?? null,
      Reschedule: transition.Reschedule ?? null,
      ForceReschedule: transition.ForceReschedule ?? null,
      NoShutdownDelay: transition.NoShutdownDelay ?? null,
      ...transition,
    },
    AllocModifyIndex: item.AllocModifyIndex ?? item.CreateIndex,
    ModifyTime: item.ModifyTime ?? item.CreateTime,
  };
  const alloc: Item = {};
  for (const field of FIELD_ORDER) {
    const value = field in restored ? restored[field] : item[field] !== undefined ? item[field] : OMITTED_DEFAULTS[field];
    if (value !== undefined) alloc[field] = value;
  }
  for (const [name, value] of Object.entries(item)) {
    if (!(name in alloc) && !META_ATTRIBUTES.has(name)) alloc[name] = value;
  }
  return {
    alloc: alloc as Allocation,
    jobVersion: Number(item.JobVersion),
    jobCreateIndex: Number(item.JobCreateIndex),
    jobModifyIndex: Number(item.JobModifyIndex),
    live: Boolean(item.Live),
    claim: item.Claim ?? (item.R && resources ? claimOf(resources) : NO_CLAIM),
  };
}

/** All allocations of a job ID (every registration), read consistently for the scheduler. */
export async function readJobAllocs(namespace: string, jobId: string): Promise<StoredAlloc[]> {
  const items = await queryJobItems(namespace, jobId, 'ALLOC#');
  return items.map(storedAllocFromItem);
}

/**
 * A job's allocations and deployment items in one consistent query: their sort keys (`ALLOC#…`,
 * `DEPLOYMENT#…`) are neighbours in the job's partition.
 */
export async function readJobAllocsAndDeployments(namespace: string, jobId: string): Promise<{ allocs: StoredAlloc[]; deploymentItems: Record<string, any>[] }> {
  const items = await queryAll({
    TableName: config().tableName,
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': jobPk(namespace, jobId), ':from': 'ALLOC#', ':to': 'DEPLOYMENT#\uffff' },
    ConsistentRead: true,
  });
  return {
    allocs: items.filter((item) => String(item.SK).startsWith('ALLOC#')).map(storedAllocFromItem),
    deploymentItems: items.filter((item) => String(item.SK).startsWith('DEPLOYMENT#')),
  };
}

/** By ID alone (GSI2): for `GET /v1/allocation/:id`. */
export async function findAlloc(allocId: string): Promise<StoredAlloc | undefined> {
  const item = await findItemById('ALLOC', allocId);
  return item ? storedAllocFromItem(item) : undefined;
}

export async function listNodeAllocs(nodeId: string): Promise<StoredAlloc[]> {
  const items = await queryAll({
    TableName: config().tableName,
    IndexName: 'GSI3',
    KeyConditionExpression: 'GSI3PK = :pk',
    ExpressionAttributeValues: { ':pk': nodeAllocsKey(nodeId) },
  });
  return items.map(storedAllocFromItem);
}

/** Joins each allocation with the job version it runs (one read for all of them). */
export async function withJobs(stored: StoredAlloc[]): Promise<Allocation[]> {
  const ref = (entry: StoredAlloc): VersionRef => ({ namespace: entry.alloc.Namespace, jobId: entry.alloc.JobID, version: entry.jobVersion });
  const versions = await readJobVersions(stored.map(ref));
  return stored.map((entry) => {
    const { ID, Namespace, EvalID, Name, NodeID, NodeName, JobID, ...rest } = entry.alloc;
    return { ID, Namespace, EvalID, Name, NodeID, NodeName, JobID, Job: versions(ref(entry)), ...rest };
  });
}

export function allocKey(alloc: Pick<Allocation, 'Namespace' | 'JobID' | 'ID'>) {
  return { PK: jobPk(alloc.Namespace, alloc.JobID), SK: allocSk(alloc.ID) };
}

/**
 * Sets one of an existing allocation's desired transitions for the scheduler to act on:
 * `Migrate` (a drain, `PUT /v1/allocation/:id/stop`), `Reschedule` (its deployment lets an
 * unhealthy one be replaced) or `ForceReschedule` (now, past its policy's limits and delays:
 * `POST /v1/job/:id/evaluate` with EvalOptions.ForceReschedule).
 */
export function desiredTransitionItem(alloc: Pick<Allocation, 'Namespace' | 'JobID' | 'ID'>, transition: 'Migrate' | 'Reschedule' | 'ForceReschedule', index: number): TransactItem {
  return {
    Update: {
      TableName: config().tableName,
      Key: allocKey(alloc),
      UpdateExpression: `SET DesiredTransition.${transition} = :true, ModifyIndex = :index`,
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':true': true, ':index': index },
    },
  };
}

/**
 * A client's report on allocation `before` (status, description, task states, deployment health),
 * conditioned on the allocation's ModifyIndex as read.
 */
export function clientUpdateItem(before: StoredAlloc, update: ClientAllocUpdate, live: boolean, index: number, nanos: number): TransactItem {
  const { alloc } = before;
  const names: Record<string, string> = {
    '#client': 'ClientStatus',
    '#description': 'ClientDescription',
    '#live': 'Live',
    '#modify': 'ModifyIndex',
    '#time': 'ModifyTime',
  };
  const values: Record<string, unknown> = {
    ':client': update.ClientStatus,
    ':description': update.ClientDescription ?? '',
    ':live': live,
    ':modify': index,
    ':time': nanos,
    ':expected': alloc.ModifyIndex,
  };
  const sets = ['#client = :client', '#description = :description', '#live = :live', '#modify = :modify', '#time = :time'];
  if (update.TaskStates !== undefined) {
    names['#tasks'] = 'TaskStates';
    values[':tasks'] = update.TaskStates;
    sets.push('#tasks = :tasks');
  }
  if (update.DeploymentStatus) {
    names['#deployment'] = 'DeploymentStatus';
    values[':deployment'] = {
      Healthy: update.DeploymentStatus.Healthy ?? alloc.DeploymentStatus?.Healthy ?? null,
      Timestamp: update.DeploymentStatus.Timestamp ?? new Date(nanos / 1_000_000).toISOString(),
      Canary: alloc.DeploymentStatus?.Canary ?? false,
      ModifyIndex: index,
    };
    sets.push('#deployment = :deployment');
  }
  return {
    Update: {
      TableName: config().tableName,
      Key: allocKey(alloc),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: '#modify = :expected',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/** Allocations by their keys, read consistently in one round trip; those not found are absent. */
export async function readAllocsByKey(keys: Record<string, string>[]): Promise<StoredAlloc[]> {
  return (await batchGet(keys, { consistent: true })).map(storedAllocFromItem);
}

/** The allocation's deployment health as an operator set it (no condition: the operator's word stands). */
export function allocHealthItem(alloc: Pick<Allocation, 'Namespace' | 'JobID' | 'ID'>, status: AllocDeploymentStatus, index: number): TransactItem {
  return {
    Update: {
      TableName: config().tableName,
      Key: allocKey(alloc),
      UpdateExpression: 'SET DeploymentStatus = :status, ModifyIndex = :index',
      ExpressionAttributeValues: { ':status': status, ':index': index },
    },
  };
}
