import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
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
        GlobalSecondaryIndexes: GLOBAL_INDEXES.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
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
  client.destroy();
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
