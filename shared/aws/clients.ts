import { DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { S3Client } from '@aws-sdk/client-s3';
import { config } from '../config';
import { recordConsumedCapacity, recordDynamoRequest } from './request-count';
import { tracedClient } from '../observability/tracing';

// Clients are created on first use so that importing a module never needs the environment.
// Endpoints come from the SDK's own AWS_ENDPOINT_URL_* variables (set by the local stack).

let documentClient: DynamoDBDocumentClient | undefined;
let plainClient: DynamoDBClient | undefined;
let sqsClient: SQSClient | undefined;
let s3Client: S3Client | undefined;

// Nomad's timestamps are unix nanoseconds, beyond 2^53: they are stored as written and read
// back as the nearest double, which is what JSON carries to clients anyway.
const wrapNumbers = (value: string) => Number(value);

/** An item as the plain client (dynamoPlain) answers it, read as the document client reads one. */
export function itemOf(attributes: Record<string, AttributeValue>): Record<string, any> {
  return unmarshall(attributes, { wrapNumbers });
}

export function dynamo(): DynamoDBDocumentClient {
  if (documentClient) return documentClient;
  documentClient = DynamoDBDocumentClient.from(tracedClient(countingRequests(new DynamoDBClient({}))), {
    marshallOptions: { removeUndefinedValues: true, allowImpreciseNumbers: true },
    unmarshallOptions: { wrapNumbers },
  });
  return documentClient;
}

/**
 * A plain DynamoDB client for the hottest single-item reads, whose store module reads the
 * attribute values itself: it resolves its middleware once per command instead of on every
 * request (`cacheMiddleware`, which the document client's commands cannot use), a tenth of a
 * millisecond or more of CPU per request saved.
 */
export function dynamoPlain(): DynamoDBClient {
  plainClient ??= tracedClient(countingRequests(new DynamoDBClient({ cacheMiddleware: true })));
  return plainClient;
}

// Counts the requests of the work that asked to (request-count.ts); a no-op otherwise.
function countingRequests(client: DynamoDBClient): DynamoDBClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      if (!recordDynamoRequest(command)) return next(args);
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const response = await next(args);
      recordConsumedCapacity((response.output as { ConsumedCapacity?: Parameters<typeof recordConsumedCapacity>[0] }).ConsumedCapacity, command);
      return response;
    },
    { step: 'initialize', name: 'countDynamoRequests' },
  );
  return client;
}

export function sqs(): SQSClient {
  // Requests go to the configured endpoint, not to the host inside a queue URL: the local queue's
  // URLs name `sqs.<region>.localhost`, which not every machine resolves. On AWS the two agree.
  sqsClient ??= tracedClient(new SQSClient({ useQueueUrlAsEndpoint: false }));
  return sqsClient;
}

export function s3(): S3Client {
  s3Client ??= tracedClient(new S3Client({
    forcePathStyle: config().s3ForcePathStyle,
    // Presigned URLs are used by agents and runners with plain HTTP clients, which do not add
    // the SDK's flexible checksums; only send checksums where S3 requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  }));
  return s3Client;
}
