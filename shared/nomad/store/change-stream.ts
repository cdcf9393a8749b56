import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type AttributeValue,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { tracedClient } from '../../observability/tracing';
import { storedAllocFromItem } from './allocs';
import { deploymentFromItem } from './deployments';
import { evalFromItem } from './evals';
import { jobRecordFromItem } from './jobs';
import { JOB_SK, NODE_SK } from './keys';
import { storedNodeFromItems } from './nodes';
import { variableFromItem } from './variables';
import type { ObjectChange } from '../structs/object-change';

/**
 * The table's change stream (DynamoDB Streams, new and old images; DynamoDB Local has the same
 * API), read as Nomad's state store publishes its changes: each change of a job, evaluation,
 * allocation, deployment or node item, decoded into the object before and after it.
 *
 * A reader starts at the stream's end (`latest`: what happens from now on) or at its oldest
 * record (`oldest`, 24 hours back on AWS), follows every shard it knows, and looks for new shards
 * (a shard is split or closed now and then) every few seconds.
 */
type Item = Record<string, any>;

export type TableChange = ObjectChange & {
  /** When DynamoDB recorded the change, unix ms (seconds precision). */
  at: number;
};

const RESCAN_MS = 5_000;

let client: DynamoDBStreamsClient | undefined;

function streams(): DynamoDBStreamsClient {
  client ??= tracedClient(new DynamoDBStreamsClient({}));
  return client;
}

const streamArns = new Map<string, string>();

async function streamArn(): Promise<string | undefined> {
  const table = config().tableName;
  let arn = streamArns.get(table);
  if (!arn) {
    const described = await dynamo().send(new DescribeTableCommand({ TableName: table }));
    arn = described.Table?.StreamSpecification?.StreamEnabled ? described.Table.LatestStreamArn : undefined;
    if (arn) streamArns.set(table, arn);
  }
  return arn;
}

/** The streams client reads an empty map attribute (`{"M":{}}`) as `{}`; this puts the `M` back. */
function repaired(value: any): any {
  if (value === null || typeof value !== 'object') return value;
  if (Object.keys(value).length === 0) return { M: {} };
  if (value.M) return { M: Object.fromEntries(Object.entries(value.M).map(([key, inner]) => [key, repaired(inner)])) };
  if (value.L) return { L: value.L.map(repaired) };
  return value;
}

function decodeImage(image: Record<string, AttributeValue> | undefined): Item | undefined {
  if (!image) return undefined;
  const fixed = Object.fromEntries(Object.entries(image).map(([key, value]) => [key, repaired(value)]));
  return unmarshall(fixed as never, { wrapNumbers: (value: string) => Number(value) });
}

function objectOf(item: Item | undefined): { kind: ObjectChange['kind']; value: unknown } | undefined {
  if (!item) return undefined;
  const pk = String(item.PK);
  const sk = String(item.SK);
  if (pk.startsWith('JOB#')) {
    if (sk === JOB_SK) return { kind: 'job', value: jobRecordFromItem(item).job };
    if (sk.startsWith('EVAL#')) return { kind: 'eval', value: evalFromItem(item) };
    if (sk.startsWith('ALLOC#')) return { kind: 'alloc', value: storedAllocFromItem(item).alloc };
    if (sk.startsWith('DEPLOYMENT#')) return { kind: 'deployment', value: deploymentFromItem(item) };
  }
  if (pk.startsWith('VARS#') && sk.startsWith('VAR#')) return { kind: 'variable', value: variableFromItem(item).meta };
  if (pk.startsWith('NODE#') && sk === NODE_SK) return { kind: 'node', value: storedNodeFromItems(item).node };
  return undefined;
}

function changeOf(record: { dynamodb?: { OldImage?: Record<string, AttributeValue>; NewImage?: Record<string, AttributeValue>; ApproximateCreationDateTime?: Date } }): TableChange | undefined {
  const before = objectOf(decodeImage(record.dynamodb?.OldImage));
  const after = objectOf(decodeImage(record.dynamodb?.NewImage));
  const kind = (after ?? before)?.kind;
  if (!kind) return undefined;
  const at = record.dynamodb?.ApproximateCreationDateTime?.getTime() ?? Date.now();
  return { kind, before: before?.value, after: after?.value, at } as TableChange;
}

export class ChangeReader {
  private iterators = new Map<string, string>();
  private known = new Set<string>();
  private lastScan = 0;
  private arn: string | undefined;

  /** `latest` reads what is written from now on; `oldest` from the oldest record the stream keeps. */
  constructor(private readonly start: 'latest' | 'oldest') {}

  /** Whether the table has a stream at all (tables made before streams were switched on may not). */
  async open(): Promise<boolean> {
    this.arn = await streamArn();
    if (!this.arn) return false;
    await this.scan(true);
    return true;
  }

  private async shards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let from: string | undefined;
    do {
      const page = await streams().send(new DescribeStreamCommand({ StreamArn: this.arn, ExclusiveStartShardId: from }));
      shards.push(...(page.StreamDescription?.Shards ?? []));
      from = page.StreamDescription?.LastEvaluatedShardId;
    } while (from);
    return shards;
  }

  /** Takes up shards not yet followed: at the first scan as `start` says, later ones from their beginning. */
  private async scan(first: boolean): Promise<void> {
    this.lastScan = Date.now();
    for (const shard of await this.shards()) {
      const id = shard.ShardId!;
      if (this.known.has(id)) continue;
      this.known.add(id);
      const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      if (first && this.start === 'latest' && closed) continue;
      const type = first && this.start === 'latest' ? 'LATEST' : 'TRIM_HORIZON';
      const iterator = await streams().send(new GetShardIteratorCommand({ StreamArn: this.arn, ShardId: id, ShardIteratorType: type }));
      if (iterator.ShardIterator) this.iterators.set(id, iterator.ShardIterator);
    }
  }

  /** The changes recorded since the last call (possibly none). */
  async poll(): Promise<TableChange[]> {
    if (!this.arn) return [];
    if (Date.now() - this.lastScan >= RESCAN_MS) await this.scan(false);
    const changes: TableChange[] = [];
    for (const [shard, iterator] of [...this.iterators]) {
      try {
        const page = await streams().send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        for (const record of page.Records ?? []) {
          const change = changeOf(record);
          if (change) changes.push(change);
        }
        if (page.NextShardIterator) this.iterators.set(shard, page.NextShardIterator);
        else this.iterators.delete(shard);
      } catch (error) {
        if (!(error instanceof ExpiredIteratorException) && !(error instanceof TrimmedDataAccessException)) throw error;
        this.iterators.delete(shard);
        this.known.delete(shard);
      }
    }
    return changes;
  }
}
