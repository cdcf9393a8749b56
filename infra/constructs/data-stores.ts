import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  EVAL_MAX_RECEIVE_COUNT,
  EVAL_VISIBILITY_TIMEOUT_SECONDS,
  GLOBAL_INDEXES,
  type GlobalIndex,
  PARTITION_KEY,
  S3_EXPIRED_TAG,
  S3_PREFIXES,
  SORT_KEY,
  STREAM_VIEW_TYPE,
  TTL_ATTRIBUTE,
} from '../../shared/storage/table-schema';

/** The state every function shares: the single table, the evaluation queue and the bucket. */
export class DataStores extends Construct {
  readonly table: TableV2;
  readonly evalQueue: Queue;
  /** Woken blocked evaluations: the worker's second, bounded lane, so they never delay fresh ones. */
  readonly wakeQueue: Queue;
  readonly evalDeadLetterQueue: Queue;
  readonly bucket: Bucket;
  /** Server access logs of the bucket. */
  readonly accessLogsBucket: Bucket;
  /** Root key of Nomad Variables: it wraps the data keys their items are sealed with (never the items themselves). */
  readonly variablesKey: Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: PARTITION_KEY, type: AttributeType.STRING },
      sortKey: { name: SORT_KEY, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // Nomad's event stream (`GET /v1/event/stream`) reads the table's changes.
      dynamoStream: StreamViewType[STREAM_VIEW_TYPE],
      // CloudFormation creates or deletes at most one index of an existing table per stack update:
      // a stack deployed before GSI5 and GSI6 first deploys with `-c withoutIndexes=GSI6`, then
      // without it (README, deployment guide).
      globalSecondaryIndexes: deployedIndexes(this.node.tryGetContext('withoutIndexes')).map((index) => ({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType[index.projection],
      })),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.evalDeadLetterQueue = new Queue(this, 'EvalDeadLetterQueue', {
      fifo: true,
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.evalDeadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: 'This is the evaluation queue\'s dead-letter queue; its messages stay for inspection (and the DLQ depth alarm) rather than moving on.',
    });

    // CloudFormation names both queues (with the `.fifo` suffix), so stacks never collide.
    // Senders set one message group per job and their own deduplication IDs.
    // The wake queue (woken blocked evaluations) is the evaluation queue's lower-priority twin.
    const evaluationQueue = {
      fifo: true,
      contentBasedDeduplication: false,
      visibilityTimeout: Duration.seconds(EVAL_VISIBILITY_TIMEOUT_SECONDS),
      deadLetterQueue: { queue: this.evalDeadLetterQueue, maxReceiveCount: EVAL_MAX_RECEIVE_COUNT },
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    };
    this.evalQueue = new Queue(this, 'EvalQueue', evaluationQueue);
    this.wakeQueue = new Queue(this, 'WakeQueue', evaluationQueue);

    // S3 delivers server access logs only to a bucket with S3-managed keys, and not to itself.
    this.accessLogsBucket = new Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the data bucket\'s server access logs; logging its own accesses would log forever.',
    });

    this.bucket = new Bucket(this, 'Bucket', {
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'data-bucket/',
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: false,
      lifecycleRules: [
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        { id: 'expire-unregistered-uploads', prefix: S3_PREFIXES.uploads, expiration: Duration.days(2) },
        // The artifacts sweeper tags what has expired; S3 does the deleting.
        { id: 'expire-tagged-objects', tagFilters: { [S3_EXPIRED_TAG]: 'true' }, expiration: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Retained with the table: without it the sealed variables in the table could never be read again.
    this.variablesKey = new Key(this, 'VariablesKey', {
      description: 'jobplane: root key of Nomad Variables (envelope encryption of their items)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}

/** The table's indexes less those `withoutIndexes` names (comma-separated, or a list in cdk.json); an unknown name fails the synth. */
function deployedIndexes(withoutIndexes: unknown): GlobalIndex[] {
  const left = [withoutIndexes ?? []].flat().flatMap((names) => String(names).split(',')).map((name) => name.trim()).filter(Boolean);
  const unknown = left.filter((name) => !GLOBAL_INDEXES.some((index) => index.indexName === name));
  if (unknown.length > 0) {
    throw new Error(`withoutIndexes names no index of the table: ${unknown.join(', ')} (its indexes: ${GLOBAL_INDEXES.map((index) => index.indexName).join(', ')})`);
  }
  return GLOBAL_INDEXES.filter((index) => !left.includes(index.indexName));
}
