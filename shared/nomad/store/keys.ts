/**
 * Where Nomad's objects live in the shared table.
 *
 * A job's partition holds everything that must be read consistently with it:
 *   PK `JOB#<ns>#<id>`  SK `JOB`                  the job (spec, version, summary, status counters)
 *                       SK `VERSION#<000000n>`    each kept version of the spec
 *                       SK `SUBMISSION#<000000n>` the source submitted with a version
 *                       SK `EVAL#<id>`            evaluations
 *                       SK `ALLOC#<id>`           allocations
 *                       SK `DEPLOYMENT#<id>`      deployments
 *                       SK `LEASE`                the worker currently scheduling this job
 * Nodes:                PK `NODE#<id>`  SK `NODE`   the node;  SK `USAGE`  its claimed capacity
 *
 * Secondary indexes (all sparse):
 *   GSI1  `NODES#<shard>` / `<id>`             nodes in ID order, spread over LIST_SHARDS partitions
 *   GSI2  `EVAL#<id>` | `ALLOC#<id>` | `DEPLOYMENT#<id>` / `ID`   lookups by ID alone
 *   GSI3  `EVALS#pending#<shard>` | `EVALS#blocked#<shard>` / `<create index>#<id>`  open evaluations
 *         `NODEALLOCS#<node id>` / `<alloc id>`                       allocations on a node
 *   GSI4  `CHILDREN#<ns>#<parent id>` / `<id>`                          dispatched/periodic children
 *   GSI5, GSI6 (KEYS_ONLY): the job, allocation and evaluation lists (below)
 */
import { createHash } from 'node:crypto';

export const JOB_SK = 'JOB';

/**
 * A partition key built from what a caller sent (a job or node ID, a namespace, in a path or query) may be
 * longer than DynamoDB's 2,048 bytes, or not valid Unicode. No stored item has such a key
 * (validation keeps such names out), so it is replaced by a digest that names nothing: the lookup
 * finds nothing, as it should, instead of failing.
 */
const MAX_PARTITION_KEY_BYTES = 2048;

export function boundedKey(key: string): string {
  if (Buffer.byteLength(key) <= MAX_PARTITION_KEY_BYTES && !/\p{Cs}/u.test(key)) return key;
  return `UNSTORABLE#${createHash('sha256').update(key).digest('hex')}`;
}
export const LEASE_SK = 'LEASE';
export const NODE_SK = 'NODE';
export const BY_ID_SK = 'ID';

export function jobPk(namespace: string, jobId: string): string {
  return boundedKey(`JOB#${namespace}#${jobId}`);
}

export function jobKey(namespace: string, jobId: string) {
  return { PK: jobPk(namespace, jobId), SK: JOB_SK };
}

/**
 * A namespace's jobs in ID order: GSI5 `JOBS#<ns>` / `<id>`, KEYS_ONLY so that the counters every
 * placement moves never rewrite the entry; written when a job is created or purged, 33 times a
 * second at C1M, so one partition (docs/scale.md). Earlier versions listed them whole in GSI1
 * under the same key, which readers read too until the periodic duty has moved them.
 */
export function jobListKeys(namespace: string, jobId: string) {
  return { GSI5PK: jobList(namespace), GSI5SK: jobId };
}

function jobList(namespace: string): string {
  return boundedKey(`JOBS#${namespace}`);
}

export function jobListPartitions(namespace: string): ListPartition[] {
  const key = jobList(namespace);
  return [
    { index: 'GSI1', key },
    { index: 'GSI5', key },
  ];
}

export function childrenOf(namespace: string, parentId: string): string {
  return boundedKey(`CHILDREN#${namespace}#${parentId}`);
}

/** Versions sort by number as strings, so they are zero-padded. */
export function versionSk(version: number): string {
  return `VERSION#${String(version).padStart(10, '0')}`;
}

export function submissionSk(version: number): string {
  return `SUBMISSION#${String(version).padStart(10, '0')}`;
}

export function evalSk(evalId: string): string {
  return `EVAL#${evalId}`;
}

export function allocSk(allocId: string): string {
  return `ALLOC#${allocId}`;
}

export function deploymentSk(deploymentId: string): string {
  return `DEPLOYMENT#${deploymentId}`;
}

export function byId(kind: 'EVAL' | 'ALLOC' | 'DEPLOYMENT', id: string) {
  return { GSI2PK: `${kind}#${id}`, GSI2SK: BY_ID_SK };
}

/**
 * Whole-table lists that every placement or evaluation writes (nodes' usage items, open
 * evaluations) are spread over this many partitions by a hash of the item's ID, so no one
 * partition key takes more than DynamoDB's per-partition write rate at C1M load (docs/scale.md).
 * Their readers read every shard (they read the whole list anyway) and merge in key order, and
 * the unsharded key written by earlier versions too, until those items are written again.
 */
export const LIST_SHARDS = 16;

/**
 * The allocation and evaluation collections are paged in creation order, so a page reads every
 * shard: fewer of them, as many as keep a shard under half the partition limit at C1M
 * (3,333 allocations/s ÷ 8 = 417 WCU/s).
 */
const COLLECTION_SHARDS = 8;

function shardOf(id: string, shards = LIST_SHARDS): number {
  return createHash('sha256').update(id).digest().readUInt16BE(0) % shards;
}

function withShards(list: string, shards = LIST_SHARDS): string[] {
  return [list, ...Array.from({ length: shards }, (_, shard) => `${list}#${shard}`)];
}

export function openEvalsKey(status: 'pending' | 'blocked', evalId: string): string {
  return `EVALS#${status}#${shardOf(evalId)}`;
}

/** Every partition of a status's open evaluations, the unsharded one of earlier versions first. */
export function openEvalsPartitions(status: 'pending' | 'blocked'): string[] {
  return withShards(`EVALS#${status}`);
}

export function openEvalSortKey(createIndex: number, evalId: string): string {
  return `${String(createIndex).padStart(20, '0')}#${evalId}`;
}

export function nodeAllocsKey(nodeId: string): string {
  return boundedKey(`NODEALLOCS#${nodeId}`);
}

export function nodeKey(nodeId: string) {
  return { PK: boundedKey(`NODE#${nodeId}`), SK: NODE_SK };
}

/** The GSI1 partition of a node's node and usage items. */
export function nodesListKey(nodeId: string): string {
  return `NODES#${shardOf(nodeId)}`;
}

/** Every partition of the nodes list, the unsharded `NODES` of earlier versions first. */
export function nodesListPartitions(): string[] {
  return withShards('NODES');
}

/** Collections whose whole-table index is tracked (see shared/storage/table-index.ts). */
export const JOBS_COLLECTION = 'jobs';
export const NODES_COLLECTION = 'nodes';

/**
 * Cluster-wide Nomad objects, one partition each:
 *   PK `NAMESPACE#<name>` SK `NAMESPACE`   GSI1 `NAMESPACES` / `<name>`
 *   PK `ACLPOLICY#<name>` SK `ACLPOLICY`   GSI1 `ACLPOLICIES` / `<name>`
 *   PK `ACLBOOTSTRAP`     SK `ACLBOOTSTRAP`  the one-time bootstrap marker
 * A job partition also holds:
 *   SK `SCALEEVENT#<group>#<index>`       scaling events (newest 20 per group kept)
 *   SK `DISPATCH#<idempotency token>`     the child a dispatch token created
 * Periodic parents are in GSI3 as `PERIODIC` / `<next launch, ms>#<ns>#<id>`.
 */
export const NAMESPACES_LIST = 'NAMESPACES';
export const ACL_POLICIES_LIST = 'ACLPOLICIES';
export const PERIODIC_JOBS = 'PERIODIC';

export function namespaceKey(name: string) {
  return { PK: boundedKey(`NAMESPACE#${name}`), SK: 'NAMESPACE' };
}

export function aclPolicyKey(name: string) {
  return { PK: boundedKey(`ACLPOLICY#${name}`), SK: 'ACLPOLICY' };
}

export function scaleEventSk(group: string, index: number): string {
  return `SCALEEVENT#${group}#${String(index).padStart(20, '0')}`;
}

export function dispatchTokenSk(token: string): string {
  return `DISPATCH#${token}`;
}

export function periodicSortKey(nextLaunchMs: number, namespace: string, jobId: string): string {
  return `${String(nextLaunchMs).padStart(15, '0')}#${namespace}#${jobId}`;
}

/**
 * Scheduler indexes:
 *   GSI3 `DEPLOYMENTS#active` / `<create index>#<id>`  deployments not yet terminal (progress deadlines)
 *   GSI3 `SYSTEMJOBS` / `<ns>#<id>`                     on the job item: system jobs not stopped (node-update evals)
 *   GSI4 `HEARTBEATS#<shard>` / `<expiry ms>#<node id>` on the node item: nodes that must heartbeat, by expiry
 *   GSI4 `NODES#down` / `<node id>`                     on the node item: nodes that are down
 */
export const ACTIVE_DEPLOYMENTS = 'DEPLOYMENTS#active';

/** GSI1 `DEPLOYMENTS#<ns>` / `<create index>#<id>`: a namespace's deployments in creation order. */
export function deploymentsByNamespace(namespace: string): string {
  return boundedKey(`DEPLOYMENTS#${namespace}`);
}
export const SYSTEM_JOBS = 'SYSTEMJOBS';
/** Every heartbeat moves its node's entry: spread over LIST_SHARDS partitions, as the nodes list is. */
export function heartbeatsKey(nodeId: string): string {
  return `HEARTBEATS#${shardOf(nodeId)}`;
}

export function heartbeatsPartitions(): string[] {
  return withShards('HEARTBEATS');
}
export const DOWN_NODES = 'NODES#down';

export function heartbeatSortKey(expiryMs: number, nodeId: string): string {
  return `${String(expiryMs).padStart(15, '0')}#${nodeId}`;
}

/** A node's claimed capacity, in its own small item next to the node (written with every placement). */
export const NODE_USAGE_SK = 'USAGE';

export function nodeUsageKey(nodeId: string) {
  return { PK: boundedKey(`NODE#${nodeId}`), SK: NODE_USAGE_SK };
}

/**
 * Allocations and evaluations as collections (`GET /v1/allocations`, `GET /v1/evaluations`), on
 * the allocation and evaluation items. Every placement adds one, and a status change must not
 * rewrite it, so the lists are KEYS_ONLY and spread over COLLECTION_SHARDS partitions by the ID's hash:
 *   GSI5 `ALLOCS#<ns>#<shard>` | `EVALS#<ns>#<shard>` / `<create index>#<id>`   creation order
 *   GSI6 `ALLOCIDS#<ns>#<shard>` | `EVALIDS#<ns>#<shard>` / `<id>`               ID order (prefix)
 * Both are written with the item and never change, as CreateIndex and ID never do. Earlier
 * versions wrote the same lists unsharded into GSI1 / GSI4 (whole items); readers read those
 * partitions too, until the periodic duty has moved their items.
 */
export type ListedKind = 'ALLOC' | 'EVAL';

/** One partition of a list index. KEYS_ONLY indexes (GSI5, GSI6) give keys; the items are fetched after. */
export interface ListPartition {
  index: 'GSI1' | 'GSI4' | 'GSI5' | 'GSI6';
  key: string;
}

export function createOrderKeys(kind: ListedKind, namespace: string, createIndex: number, id: string) {
  const shard = shardOf(id, COLLECTION_SHARDS);
  return {
    GSI5PK: `${createOrderList(kind, namespace)}#${shard}`,
    GSI5SK: createOrderSortKey(createIndex, id),
    GSI6PK: `${idOrderList(kind, namespace)}#${shard}`,
    GSI6SK: id,
  };
}

function createOrderList(kind: ListedKind, namespace: string): string {
  return `${kind}S#${namespace}`;
}

function idOrderList(kind: ListedKind, namespace: string): string {
  return `${kind}IDS#${namespace}`;
}

/** A collection's partitions: the unsharded one earlier versions wrote whole into `legacy`, then today's shards in `index`. */
function listPartitions(list: string, legacy: 'GSI1' | 'GSI4', index: 'GSI5' | 'GSI6'): ListPartition[] {
  const [unsharded, ...shards] = withShards(list, COLLECTION_SHARDS);
  return [{ index: legacy, key: unsharded }, ...shards.map((key) => ({ index, key }))];
}

export function createOrderPartitions(kind: ListedKind, namespace: string): ListPartition[] {
  return listPartitions(createOrderList(kind, namespace), 'GSI1', 'GSI5');
}

export function idOrderPartitions(kind: ListedKind, namespace: string): ListPartition[] {
  return listPartitions(idOrderList(kind, namespace), 'GSI4', 'GSI6');
}

export function createOrderSortKey(createIndex: number, id: string): string {
  return `${String(createIndex).padStart(20, '0')}#${id}`;
}

/**
 * Nomad Variables: one partition per namespace, one item per path, and every variable in GSI1
 * ordered by namespace then path (the listing of `namespace=*`):
 *   PK `VARS#<ns>`  SK `VAR#<path>`   GSI1 `VARS` / `<ns> <path>`
 * Neither namespaces nor paths hold a space, so the space orders a namespace before its longer names.
 */
export const VARIABLES_LIST = 'VARS';
export const VARIABLES_COLLECTION = 'variables';

export function variableKey(namespace: string, path: string) {
  return { PK: boundedKey(`VARS#${namespace}`), SK: `VAR#${path}` };
}

export function variableListKey(namespace: string, path: string) {
  return { GSI1PK: VARIABLES_LIST, GSI1SK: `${namespace} ${path}` };
}

/**
 * Blocked evaluations by where they could run (see scheduler/blocked-wake.ts), one item per job
 * and bucket, beside the evaluation itself:
 *   PK `BLOCKED#<pool>#<datacenter>#<shard>` | `BLOCKED#*#<shard>`   SK `<ns>#<job id>`
 * A bucket is spread over BLOCKED_SHARDS partitions by a hash of the job, so blocking many jobs on
 * one datacenter never writes one partition; a node reads the shards of its two buckets.
 */
export const BLOCKED_SHARDS = 4;

export function blockedIndexKey(bucket: string, namespace: string, jobId: string) {
  const shard = createHash('sha256').update(`${namespace}\0${jobId}`).digest()[0] % BLOCKED_SHARDS;
  return { PK: blockedShardKey(bucket, shard), SK: `${namespace}#${jobId}` };
}

export function blockedShardKey(bucket: string, shard: number): string {
  return boundedKey(`BLOCKED#${bucket}#${shard}`);
}
