import { randomBytes } from 'node:crypto';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type GlobalSecondaryIndexDescription,
} from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureResources } from '../../../infra/local/resources';
import { startStandIns, type StandIns } from '../../../infra/local/stand-ins';

/**
 * `ensureResources` on every start: a fresh table gets every index of the schema with its projection,
 * and a table from a data folder of an earlier version gets the indexes added since, its items kept.
 */
// Stand-ins of its own: DynamoDB Local builds an added index in the background, and has been seen
// to take over a minute to do so while the rest of the suite keeps the shared one busy.
const scratchDir = mkdtempSync(join(tmpdir(), 'jobplane-resources-'));
let standIns: StandIns;
let dynamo: DynamoDBClient;

beforeAll(async () => {
  standIns = await startStandIns({ scratchDir });
  Object.assign(process.env, standIns.env);
  dynamo = new DynamoDBClient({});
});

afterAll(async () => {
  dynamo?.destroy();
  await standIns?.stop();
  rmSync(scratchDir, { recursive: true, force: true });
});

const PROJECTIONS = { GSI1: 'ALL', GSI2: 'ALL', GSI3: 'ALL', GSI4: 'ALL', GSI5: 'KEYS_ONLY', GSI6: 'KEYS_ONLY' };

function ensure(suffix: string) {
  return ensureResources({
    tableName: `resources-${suffix}`,
    evalQueueName: `evals-${suffix}.fifo`,
    evalDlqName: `evals-dlq-${suffix}.fifo`,
    bucketName: `resources-bucket-${suffix}`,
  });
}

async function describeTable(tableName: string) {
  return (await dynamo.send(new DescribeTableCommand({ TableName: tableName }))).Table!;
}

/** Name, projection and status of each index, by name. */
const indexesOf = (indexes: GlobalSecondaryIndexDescription[] = []) =>
  Object.fromEntries(
    indexes
      .map((index) => [index.IndexName!, { projection: index.Projection?.ProjectionType, status: index.IndexStatus }] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

const expectedIndexes = Object.fromEntries(
  Object.entries(PROJECTIONS).map(([name, projection]) => [name, { projection, status: 'ACTIVE' }]),
);

describe('the local table', () => {
  it('is created with every index of the schema, each with its projection', async () => {
    const { TABLE_NAME } = await ensure(randomBytes(4).toString('hex'));
    const table = await describeTable(TABLE_NAME);
    expect(indexesOf(table.GlobalSecondaryIndexes)).toEqual(expectedIndexes);
    expect(table.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });

  it('of an earlier version (GSI1–GSI4 only) gains GSI5 and GSI6 as KEYS_ONLY, keeps its items, and a second start changes nothing', async () => {
    const suffix = randomBytes(4).toString('hex');
    const tableName = `resources-${suffix}`;
    // The table as the version before GSI5 and GSI6 created it.
    const oldIndexes = ['GSI1', 'GSI2', 'GSI3', 'GSI4'];
    await dynamo.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['PK', 'SK', ...oldIndexes.flatMap((name) => [`${name}PK`, `${name}SK`])].map((name) => ({
          AttributeName: name,
          AttributeType: 'S',
        })),
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: oldIndexes.map((name) => ({
          IndexName: name,
          KeySchema: [
            { AttributeName: `${name}PK`, KeyType: 'HASH' },
            { AttributeName: `${name}SK`, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    const item = {
      PK: { S: 'JOB#default#web' },
      SK: { S: 'JOB' },
      GSI5PK: { S: 'JOBS#default' },
      GSI5SK: { S: 'web' },
      Status: { S: 'running' },
    };
    await dynamo.send(new PutItemCommand({ TableName: tableName, Item: item }));

    await ensure(suffix);

    const upgraded = await describeTable(tableName);
    expect(indexesOf(upgraded.GlobalSecondaryIndexes)).toEqual(expectedIndexes);
    expect(upgraded.TableStatus).toBe('ACTIVE');
    expect(upgraded.AttributeDefinitions?.map((attribute) => attribute.AttributeName).sort()).toEqual(
      ['PK', 'SK', ...Object.keys(PROJECTIONS).flatMap((name) => [`${name}PK`, `${name}SK`])].sort(),
    );
    const { Item: kept } = await dynamo.send(new GetItemCommand({ TableName: tableName, Key: { PK: item.PK, SK: item.SK } }));
    expect(kept).toEqual(item);
    // The item written before GSI5 existed is in it, keys only.
    const { Items: listed } = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'GSI5',
        KeyConditionExpression: 'GSI5PK = :pk',
        ExpressionAttributeValues: { ':pk': item.GSI5PK },
      }),
    );
    expect(listed).toEqual([{ PK: item.PK, SK: item.SK, GSI5PK: item.GSI5PK, GSI5SK: item.GSI5SK }]);

    // A second start finds nothing to add (adding an existing index again would be refused).
    await ensure(suffix);
    const again = await describeTable(tableName);
    expect(again.GlobalSecondaryIndexes).toEqual(upgraded.GlobalSecondaryIndexes);
    expect(again.AttributeDefinitions).toEqual(upgraded.AttributeDefinitions);
    expect(again.ItemCount).toBe(upgraded.ItemCount);
  });
});
