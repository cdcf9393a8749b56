import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { batchGet } from '../../storage/batch-get';
import { beyondSortKeys } from '../../storage/key-limits';
import { compareUtf8, idCondition, type IdCondition } from './id-range';
import type { ListPartition } from './keys';

/**
 * Walks one list over several partitions of the list indexes (a namespace's shards, several
 * namespaces, the partitions earlier versions wrote) as a single sorted sequence of items: each
 * partition's keys are read a page at a time and the heads merged in DynamoDB's order (UTF-8
 * bytes), then each run of keys is fetched with BatchGetItem. A caller that stops after one page of
 * results has read about one page of keys in all and one page of items, never the whole list.
 * Ties of sort key across partitions go in partition order; the same item found in two partitions
 * (moved between them while read) comes once.
 */
type Item = Record<string, any>;

export interface OrderedWalk {
  partitions: ListPartition[];
  /** The first sort key to return (inclusive), in the walk's direction. */
  from?: string;
  /** Only sort keys that start with this. */
  prefix?: string;
  reverse: boolean;
  /** About how many items the caller wants at a time: the size of each fetch. */
  pageSize: number;
}

interface Entry {
  PK: string;
  SK: string;
  sortKey: string;
}

/** Sharded lists spread a page over their partitions: each reads its share and some slack, and more only when it runs dry. */
function partitionLimit(pageSize: number, partitions: number): number {
  return Math.min(pageSize, Math.ceil((2 * pageSize) / partitions) + 8);
}

function partitionQuery(walk: OrderedWalk, range: IdCondition, partition: ListPartition, limit: number): QueryCommandInput {
  const names: Record<string, string> = { '#pk': `${partition.index}PK`, '#sk': `${partition.index}SK` };
  const values: Record<string, string> = { ':pk': partition.key };
  let condition = '#pk = :pk';
  if (range.kind === 'begins') {
    values[':prefix'] = range.prefix;
    condition += ' AND begins_with(#sk, :prefix)';
  } else if (range.kind === 'from' || range.kind === 'upTo') {
    values[':start'] = range.value;
    condition += range.kind === 'from' ? ' AND #sk >= :start' : ' AND #sk <= :start';
  } else if (range.kind === 'between') {
    Object.assign(values, { ':low': range.low, ':high': range.high });
    condition += ' AND #sk BETWEEN :low AND :high';
  }
  return {
    TableName: config().tableName,
    IndexName: partition.index,
    KeyConditionExpression: condition,
    ProjectionExpression: 'PK, SK, #sk',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ScanIndexForward: !walk.reverse,
    Limit: limit,
  };
}

class PartitionCursor {
  private buffer: Entry[] = [];
  private lastKey: Item | undefined;
  private exhausted = false;

  constructor(
    private readonly sortKeyName: string,
    private readonly input: QueryCommandInput,
  ) {}

  async head(): Promise<Entry | undefined> {
    while (this.buffer.length === 0 && !this.exhausted) {
      const result = await dynamo().send(new QueryCommand({ ...this.input, ExclusiveStartKey: this.lastKey }));
      this.buffer = (result.Items ?? []).map((item) => ({ PK: item.PK, SK: item.SK, sortKey: String(item[this.sortKeyName]) }));
      this.lastKey = result.LastEvaluatedKey;
      this.exhausted = !this.lastKey;
    }
    return this.buffer[0];
  }

  take(): void {
    this.buffer.shift();
  }
}

async function* mergedEntries(walk: OrderedWalk): AsyncGenerator<Entry> {
  if (beyondSortKeys(walk.prefix) || beyondSortKeys(walk.from)) return;
  const range = idCondition(walk.prefix || undefined, walk.from || undefined, walk.reverse);
  if (range.kind === 'none') return;
  const limit = partitionLimit(walk.pageSize, walk.partitions.length);
  const cursors = walk.partitions.map((partition) => new PartitionCursor(`${partition.index}SK`, partitionQuery(walk, range, partition, limit)));
  const before = (a: string, b: string) => (walk.reverse ? compareUtf8(a, b) > 0 : compareUtf8(a, b) < 0);
  let last: Entry | undefined;
  for (;;) {
    const heads = await Promise.all(cursors.map((cursor) => cursor.head()));
    let best = -1;
    heads.forEach((head, i) => {
      if (head && (best < 0 || before(head.sortKey, heads[best]!.sortKey))) best = i;
    });
    if (best < 0) return;
    cursors[best].take();
    const entry = heads[best]!;
    // A BETWEEN up to the prefix's end takes the end itself, which does not start with the prefix.
    if (walk.prefix && !entry.sortKey.startsWith(walk.prefix)) continue;
    if (last && last.PK === entry.PK && last.SK === entry.SK) continue;
    last = entry;
    yield entry;
  }
}

const keyOf = (item: Item) => `${item.PK}\u0000${item.SK}`;

/** The items under `entries` (each once: mergedEntries drops repeats), in their order; those deleted since they were listed are left out. */
async function fetchInOrder(entries: Entry[]): Promise<Item[]> {
  const items = new Map((await batchGet(entries.map(({ PK, SK }) => ({ PK, SK })))).map((item) => [keyOf(item), item]));
  return entries.flatMap((entry) => items.get(keyOf(entry)) ?? []);
}

/** The list's sort keys alone, in the walk's order: for a caller that needs no item, no item is read. */
export async function* walkSortKeys(walk: OrderedWalk): AsyncGenerator<string> {
  for await (const entry of mergedEntries(walk)) yield entry.sortKey;
}

export async function* walkOrdered(walk: OrderedWalk): AsyncGenerator<Item> {
  let run: Entry[] = [];
  for await (const entry of mergedEntries(walk)) {
    run.push(entry);
    if (run.length < walk.pageSize) continue;
    yield* await fetchInOrder(run);
    run = [];
  }
  if (run.length > 0) yield* await fetchInOrder(run);
}
