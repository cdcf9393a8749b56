/**
 * The one DynamoDB table every dialect shares (single-table design). Both the CDK stack and the
 * local stack create it from this description, so the two can never drift apart.
 *
 * Every key attribute is a string. Items choose which secondary indexes they appear in by setting
 * (or leaving unset) the index's key attributes, so each index is sparse. What each entity puts in
 * which key is written next to that entity's repository (for example `shared/nomad/store/keys.ts`).
 */
export const PARTITION_KEY = 'PK';
export const SORT_KEY = 'SK';

/** Items carrying a unix-seconds value here are removed by DynamoDB's TTL sweeper. */
export const TTL_ATTRIBUTE = 'ExpiresAt';

export interface GlobalIndex {
  indexName: string;
  partitionKey: string;
  sortKey: string;
  /**
   * `ALL` copies the whole item into the index, so every write of the item rewrites its entry;
   * a `KEYS_ONLY` entry holds the keys alone and is written only when the item appears, moves
   * or goes (the lists of often-updated items, read as keys and then fetched by BatchGetItem).
   */
  projection: 'ALL' | 'KEYS_ONLY';
}

/** Generic, sparse secondary indexes. */
export const GLOBAL_INDEXES: readonly GlobalIndex[] = [
  { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK', projection: 'ALL' },
  { indexName: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK', projection: 'ALL' },
  { indexName: 'GSI3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK', projection: 'ALL' },
  { indexName: 'GSI4', partitionKey: 'GSI4PK', sortKey: 'GSI4SK', projection: 'ALL' },
  { indexName: 'GSI5', partitionKey: 'GSI5PK', sortKey: 'GSI5SK', projection: 'KEYS_ONLY' },
  { indexName: 'GSI6', partitionKey: 'GSI6PK', sortKey: 'GSI6SK', projection: 'KEYS_ONLY' },
];

/** The table's change stream (Nomad's event stream reads it): both images of every change. */
export const STREAM_VIEW_TYPE = 'NEW_AND_OLD_IMAGES';

/** Deliveries before SQS moves an evaluation message to the dead-letter queue. */
export const EVAL_MAX_RECEIVE_COUNT = 5;
/** Visibility timeout of the evaluation queue, in seconds (also the worker Lambda's ceiling). */
export const EVAL_VISIBILITY_TIMEOUT_SECONDS = 60;

/** Object key prefixes in the bucket; lifecycle rules are written against them. */
export const S3_PREFIXES = {
  /** Uploads handed out through presigned URLs but not yet registered; swept after 2 days. */
  uploads: 'uploads/',
  artifacts: 'artifacts/',
  traces: 'traces/',
  submissions: 'submissions/',
  logs: 'logs/',
  /** GitLab repository files too large for a table item. */
  repository: 'repository/',
} as const;

/** Objects tagged with this key and value `true` are deleted by the bucket lifecycle after a day. */
export const S3_EXPIRED_TAG = 'jobplane-expired';
