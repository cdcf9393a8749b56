import { GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { unlessConditionFails } from '../../storage/transact';
import { createOrderKeys, type ListedKind } from './keys';

/**
 * Allocation and evaluation items written before the collection indexes existed (see keys.ts)
 * lack their GSI1/GSI4 keys, so `/v1/allocations` and `/v1/evaluations` would not list them.
 * This adds the keys, a few pages of the table at a time, resuming where the last run stopped
 * (the position is kept in a marker item), until a whole pass is done; then it costs one read.
 */
const MARKER = { PK: 'MIGRATION', SK: 'COLLECTION-KEYS' };
const PAGES_PER_RUN = 10;

export async function backfillCollectionKeys(): Promise<{ done: boolean; updated: number }> {
  const table = config().tableName;
  const marker = (await dynamo().send(new GetCommand({ TableName: table, Key: MARKER, ConsistentRead: true }))).Item;
  if (marker?.Done) return { done: true, updated: 0 };
  let startKey: Record<string, any> | undefined = marker?.Resume;
  let updated = 0;
  for (let page = 0; page < PAGES_PER_RUN; page++) {
    const result = await dynamo().send(
      new ScanCommand({
        TableName: table,
        ExclusiveStartKey: startKey,
        FilterExpression: '(begins_with(SK, :alloc) OR begins_with(SK, :eval)) AND attribute_not_exists(GSI4PK)',
        ProjectionExpression: 'PK, SK, Namespace, CreateIndex, ID',
        ExpressionAttributeValues: { ':alloc': 'ALLOC#', ':eval': 'EVAL#' },
      }),
    );
    for (const item of result.Items ?? []) {
      const kind: ListedKind = String(item.SK).startsWith('ALLOC#') ? 'ALLOC' : 'EVAL';
      const keys = createOrderKeys(kind, item.Namespace, Number(item.CreateIndex), item.ID);
      const written = await unlessConditionFails(
        dynamo().send(
          new UpdateCommand({
            TableName: table,
            Key: { PK: item.PK, SK: item.SK },
            UpdateExpression: 'SET GSI1PK = :g1pk, GSI1SK = :g1sk, GSI4PK = :g4pk, GSI4SK = :g4sk',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeValues: { ':g1pk': keys.GSI1PK, ':g1sk': keys.GSI1SK, ':g4pk': keys.GSI4PK, ':g4sk': keys.GSI4SK },
          }),
        ),
      );
      if (written) updated++;
    }
    startKey = result.LastEvaluatedKey;
    if (!startKey) break;
  }
  await dynamo().send(new PutCommand({ TableName: table, Item: startKey ? { ...MARKER, Resume: startKey } : { ...MARKER, Done: true } }));
  return { done: !startKey, updated };
}
