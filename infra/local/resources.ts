import { setTimeout } from 'node:timers/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  KeyType,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  EVAL_MAX_RECEIVE_COUNT,
  EVAL_VISIBILITY_TIMEOUT_SECONDS,
  GLOBAL_INDEXES,
  type GlobalIndex,
  PARTITION_KEY,
  SORT_KEY,
  STREAM_VIEW_TYPE,
  TTL_ATTRIBUTE,
} from '../../shared/storage/table-schema';

/**
 * Creates, if missing, what the CDK stack creates on AWS: the table, the FIFO evaluation queue
 * (and the wake queue, when named) with their dead-letter queue, and the bucket. Safe to call on every start.
 */
export interface LocalResourceNames {
  tableName: string;
  evalQueueName: string;
  evalDlqName: string;
  /** The queue woken blocked evaluations wait in, behind fresh work; without it they share the evaluation queue. */
  wakeQueueName?: string;
  bucketName: string;
  /** Shorter than AWS's so a failed evaluation is retried quickly on a laptop. */
  visibilityTimeoutSeconds?: number;
}

export interface LocalResources {
  TABLE_NAME: string;
  EVAL_QUEUE_URL: string;
  /** Set when a wake queue was asked for. */
  WAKE_QUEUE_URL?: string;
  BUCKET_NAME: string;
}

/** How often DescribeTable is asked whether an index being added is ACTIVE, and for how long at most. */
const INDEX_POLL_MS = 100;
const INDEX_WAIT_MS = 120_000;

const indexSchema = (index: GlobalIndex) => ({
  IndexName: index.indexName,
  KeySchema: [
    { AttributeName: index.partitionKey, KeyType: KeyType.HASH },
    { AttributeName: index.sortKey, KeyType: KeyType.RANGE },
  ],
  Projection: { ProjectionType: index.projection },
});

async function ensureTable(tableName: string): Promise<void> {
  const client = new DynamoDBClient({});
  const keyNames = [PARTITION_KEY, SORT_KEY, ...GLOBAL_INDEXES.flatMap((index) => [index.partitionKey, index.sortKey])];
  const attributes: AttributeDefinition[] = keyNames.map((name) => ({ AttributeName: name, AttributeType: 'S' }));
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributes,
        KeySchema: [
          { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
          { AttributeName: SORT_KEY, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: GLOBAL_INDEXES.map(indexSchema),
        StreamSpecification: { StreamEnabled: true, StreamViewType: STREAM_VIEW_TYPE },
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
  // A data folder from before the event stream: its table gets the stream now.
  if (!described.Table?.StreamSpecification?.StreamEnabled) {
    await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: true, StreamViewType: STREAM_VIEW_TYPE } }));
  }
  // A data folder from before an index was added: one index per UpdateTable, as DynamoDB allows,
  // each ACTIVE (backfilled) before the next.
  const existing = new Set((described.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of GLOBAL_INDEXES.filter((candidate) => !existing.has(candidate.indexName))) {
    await waitUntilActive(client, tableName);
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: attributes.filter((attribute) => [index.partitionKey, index.sortKey].includes(attribute.AttributeName!)),
        GlobalSecondaryIndexUpdates: [{ Create: indexSchema(index) }],
      }),
    );
    await waitUntilActive(client, tableName);
  }
  client.destroy();
}

/** Polls DescribeTable until the table and all its indexes are ACTIVE; a wait past the bound is an error. */
async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + INDEX_WAIT_MS;
  for (;;) {
    const { Table: table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const waiting = (table?.GlobalSecondaryIndexes ?? []).filter((index) => index.IndexStatus !== 'ACTIVE');
    if (table?.TableStatus === 'ACTIVE' && waiting.length === 0) return;
    if (Date.now() >= deadline) {
      const states = [`table ${table?.TableStatus}`, ...waiting.map((index) => `index ${index.IndexName} ${index.IndexStatus}`)];
      throw new Error(`Table ${tableName}: adding its missing indexes did not finish within ${INDEX_WAIT_MS / 1000} s (${states.join(', ')})`);
    }
    await setTimeout(INDEX_POLL_MS);
  }
}

export async function ensureResources(names: LocalResourceNames): Promise<LocalResources> {
  await ensureTable(names.tableName);

  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const fifo = { FifoQueue: 'true', ContentBasedDeduplication: 'false' };
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: names.evalDlqName, Attributes: fifo }));
  const dlqArn = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }));
  // The wake queue fails over to the same dead-letter queue as the evaluation queue.
  const createQueue = async (name: string) =>
    (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: {
            ...fifo,
            VisibilityTimeout: String(names.visibilityTimeoutSeconds ?? EVAL_VISIBILITY_TIMEOUT_SECONDS),
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: dlqArn.Attributes?.QueueArn,
              maxReceiveCount: EVAL_MAX_RECEIVE_COUNT,
            }),
          },
        }),
      )
    ).QueueUrl!;
  const evalQueueUrl = await createQueue(names.evalQueueName);
  const wakeQueueUrl = names.wakeQueueName ? await createQueue(names.wakeQueueName) : undefined;
  sqs.destroy();

  const s3 = new S3Client({ forcePathStyle: true });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: names.bucketName }));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
  s3.destroy();

  return {
    TABLE_NAME: names.tableName,
    EVAL_QUEUE_URL: evalQueueUrl,
    ...(wakeQueueUrl ? { WAKE_QUEUE_URL: wakeQueueUrl } : {}),
    BUCKET_NAME: names.bucketName,
  };
}
