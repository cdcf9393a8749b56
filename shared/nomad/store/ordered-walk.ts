import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';

/**
 * Walks one list of a sparse secondary index over several partitions (one per namespace) as a
 * single sorted sequence: each partition is read a page at a time and the heads are merged, so a
 * caller that stops after one page of results has read about one page per partition, never the
 * whole list. Ties of sort key across partitions go in partition order.
 */
type Item = Record<string, any>;

export interface OrderedWalk {
  index: 'GSI1' | 'GSI4';
  partitions: string[];
  /** The first sort key to return (inclusive), in the walk's direction. */
  from?: string;
  /** Only sort keys that start with this. */
  prefix?: string;
  reverse: boolean;
  pageSize: number;
}

const HIGHEST = '\uffff';

/** The sort key range to read; DynamoDB refuses empty strings in key conditions, so '' means no bound. */
function keyRange(walk: OrderedWalk): { low?: string; high?: string } {
  const prefix = walk.prefix || undefined;
  const from = walk.from || undefined;
  const prefixHigh = prefix ? prefix + HIGHEST : undefined;
  if (!walk.reverse) {
    const low = from !== undefined && (!prefix || from > prefix) ? from : prefix;
    return { low, high: prefixHigh };
  }
  const high = from !== undefined && (!prefixHigh || from < prefixHigh) ? from : prefixHigh;
  return { low: prefix, high };
}

function partitionQuery(walk: OrderedWalk, partition: string): QueryCommandInput {
  const pk = `${walk.index}PK`;
  const sk = `${walk.index}SK`;
  const { low, high } = keyRange(walk);
  const values: Record<string, string> = { ':pk': partition };
  let condition = `${pk} = :pk`;
  if (low !== undefined && high !== undefined) {
    condition += ` AND ${sk} BETWEEN :low AND :high`;
    Object.assign(values, { ':low': low, ':high': high });
  } else if (low !== undefined) {
    condition += ` AND ${sk} >= :low`;
    values[':low'] = low;
  } else if (high !== undefined) {
    condition += ` AND ${sk} <= :high`;
    values[':high'] = high;
  }
  return {
    TableName: config().tableName,
    IndexName: walk.index,
    KeyConditionExpression: condition,
    ExpressionAttributeValues: values,
    ScanIndexForward: !walk.reverse,
    Limit: walk.pageSize,
  };
}

class PartitionCursor {
  private buffer: Item[] = [];
  private lastKey: Item | undefined;
  private exhausted = false;

  constructor(
    readonly partition: string,
    private readonly input: QueryCommandInput,
  ) {}

  async head(): Promise<Item | undefined> {
    while (this.buffer.length === 0 && !this.exhausted) {
      const result = await dynamo().send(new QueryCommand({ ...this.input, ExclusiveStartKey: this.lastKey }));
      this.buffer = result.Items ?? [];
      this.lastKey = result.LastEvaluatedKey;
      this.exhausted = !this.lastKey;
    }
    return this.buffer[0];
  }

  take(): void {
    this.buffer.shift();
  }
}

export async function* walkOrdered(walk: OrderedWalk): AsyncGenerator<Item> {
  const sk = `${walk.index}SK`;
  const partitions = [...new Set(walk.partitions)].sort();
  if (walk.reverse) partitions.reverse();
  const cursors = partitions.map((partition) => new PartitionCursor(partition, partitionQuery(walk, partition)));
  const before = (a: string, b: string) => (walk.reverse ? a > b : a < b);
  for (;;) {
    const heads = await Promise.all(cursors.map((cursor) => cursor.head()));
    let best = -1;
    heads.forEach((head, i) => {
      if (head && (best < 0 || before(String(head[sk]), String(heads[best]![sk])))) best = i;
    });
    if (best < 0) return;
    cursors[best].take();
    yield heads[best]!;
  }
}
