import { GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { unlessConditionFails } from '../../storage/transact';
import { storedAllocFromItem } from './allocs';
import { evalFromItem } from './evals';
import { createOrderKeys, JOB_SK, jobListKeys } from './keys';

/**
 * Job, allocation and evaluation items written by earlier versions are listed whole in GSI1 /
 * GSI4 (or, older still, not at all), where every status change rewrites the entry; today's lists
 * are the KEYS_ONLY GSI5 / GSI6 (see keys.ts). This moves each such item to today's list keys, a
 * few pages of the table at a time, resuming where the last run stopped (the position is kept in a
 * marker item), until a whole pass is done; then it costs one read. Readers read the old
 * partitions too, so nothing drops out of a list meanwhile.
 */
const MARKER = { PK: 'MIGRATION', SK: 'LIST-KEYS' };
const PAGES_PER_RUN = 10;

type Item = Record<string, any>;

function todaysKeys(item: Item): { keys: Record<string, string>; remove: string[] } {
  if (item.SK === JOB_SK) {
    const spec = JSON.parse(item.Spec);
    return { keys: jobListKeys(spec.Namespace, spec.ID), remove: ['GSI1PK', 'GSI1SK'] };
  }
  const isAlloc = String(item.SK).startsWith('ALLOC#');
  const listed = isAlloc ? storedAllocFromItem(item).alloc : evalFromItem(item);
  return { keys: createOrderKeys(isAlloc ? 'ALLOC' : 'EVAL', listed.Namespace, listed.CreateIndex, listed.ID), remove: ['GSI1PK', 'GSI1SK', 'GSI4PK', 'GSI4SK'] };
}

async function move(item: Item): Promise<boolean> {
  const { keys, remove } = todaysKeys(item);
  const names = Object.fromEntries([...Object.keys(keys), ...remove].map((name) => [`#${name}`, name]));
  const values = Object.fromEntries(Object.entries(keys).map(([name, value]) => [`:${name}`, value]));
  const moved = await unlessConditionFails(
    dynamo().send(
      new UpdateCommand({
        TableName: config().tableName,
        Key: { PK: item.PK, SK: item.SK },
        UpdateExpression: `SET ${Object.keys(keys).map((name) => `#${name} = :${name}`).join(', ')} REMOVE ${remove.map((name) => `#${name}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    ),
  );
  return moved !== undefined;
}

export async function moveListKeys(): Promise<{ done: boolean; moved: number }> {
  const table = config().tableName;
  const marker = (await dynamo().send(new GetCommand({ TableName: table, Key: MARKER, ConsistentRead: true }))).Item;
  if (marker?.Done) return { done: true, moved: 0 };
  let startKey: Item | undefined = marker?.Resume;
  let moved = 0;
  for (let page = 0; page < PAGES_PER_RUN; page++) {
    const result = await dynamo().send(
      new ScanCommand({
        TableName: table,
        ExclusiveStartKey: startKey,
        FilterExpression: '((begins_with(SK, :alloc) OR begins_with(SK, :eval)) AND attribute_not_exists(GSI6PK)) OR (SK = :job AND begins_with(PK, :jobs) AND attribute_not_exists(GSI5PK))',
        ExpressionAttributeValues: { ':alloc': 'ALLOC#', ':eval': 'EVAL#', ':job': JOB_SK, ':jobs': 'JOB#' },
      }),
    );
    for (const item of result.Items ?? []) if (await move(item)) moved++;
    startKey = result.LastEvaluatedKey;
    if (!startKey) break;
  }
  await dynamo().send(new PutCommand({ TableName: table, Item: startKey ? { ...MARKER, Resume: startKey } : { ...MARKER, Done: true } }));
  return { done: !startKey, moved };
}
