import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { beyondSortKeys } from '../../storage/key-limits';
import { collectionIndex, touchCollection } from '../../storage/table-index';
import { TransactionConflict, transact, unlessConditionFails, type TransactItem } from '../../storage/transact';
import type { HeldLock, SealedItems, VariableMetadata } from '../structs/variable';
import { VARIABLES_COLLECTION, VARIABLES_LIST, variableKey, variableListKey } from './keys';

/**
 * Variable items: the metadata in the clear (lists and ACL filters read it), the items only
 * sealed (see services/variable-keyring.ts). Every write is conditioned on the version it was
 * decided on (its ModifyIndex, or its absence, and the lock's deadline), so check-and-set and
 * locks hold against concurrent writers; each write also moves the variables' collection index.
 */
export interface StoredVariable {
  meta: VariableMetadata;
  lock?: HeldLock;
  sealed: SealedItems;
}

type Item = Record<string, any>;

export function variableFromItem(item: Item): StoredVariable {
  const lock: HeldLock | undefined = item.Lock
    ? { ID: item.Lock.ID, TTLMs: Number(item.Lock.TTLMs), LockDelayMs: Number(item.Lock.LockDelayMs), expiresAt: Number(item.Lock.expiresAt) }
    : undefined;
  return {
    meta: {
      Namespace: item.Namespace,
      Path: item.Path,
      ...(lock ? { Lock: { ID: lock.ID, TTLMs: lock.TTLMs, LockDelayMs: lock.LockDelayMs } } : {}),
      CreateIndex: Number(item.CreateIndex),
      CreateTime: Number(item.CreateTime),
      ModifyIndex: Number(item.ModifyIndex),
      ModifyTime: Number(item.ModifyTime),
    },
    lock,
    sealed: { KeyID: item.KeyID, WrappedKey: item.WrappedKey, Data: item.Data },
  };
}

export async function readVariable(namespace: string, path: string): Promise<StoredVariable | undefined> {
  if (beyondSortKeys(`VAR#${path}`)) return undefined;
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: variableKey(namespace, path), ConsistentRead: true }));
  return result.Item ? variableFromItem(result.Item) : undefined;
}

/** The version a write was decided on: the item's ModifyIndex, or `undefined` for "does not exist". */
function expectVersion(expected: number | undefined): Pick<Item, 'ConditionExpression' | 'ExpressionAttributeValues'> {
  return expected === undefined
    ? { ConditionExpression: 'attribute_not_exists(PK)', ExpressionAttributeValues: undefined }
    : { ConditionExpression: 'ModifyIndex = :expected', ExpressionAttributeValues: { ':expected': expected } };
}

async function commit(items: TransactItem[]): Promise<boolean> {
  try {
    await transact(items);
    return true;
  } catch (error) {
    if (error instanceof TransactionConflict) return false;
    throw error;
  }
}

/** Writes the variable if the stored one is still at `expected` (see expectVersion); false if it moved. */
export async function writeVariable(variable: StoredVariable, expected: number | undefined): Promise<boolean> {
  const { meta, lock, sealed } = variable;
  const item: Item = {
    ...variableKey(meta.Namespace, meta.Path),
    ...variableListKey(meta.Namespace, meta.Path),
    Namespace: meta.Namespace,
    Path: meta.Path,
    CreateIndex: meta.CreateIndex,
    CreateTime: meta.CreateTime,
    ModifyIndex: meta.ModifyIndex,
    ModifyTime: meta.ModifyTime,
    ...sealed,
    ...(lock ? { Lock: { ...lock } } : {}),
  };
  const condition = expectVersion(expected);
  return commit([
    { Put: { TableName: config().tableName, Item: item, ...condition } },
    touchCollection(VARIABLES_COLLECTION, `${meta.Namespace}\0${meta.Path}`, meta.ModifyIndex),
  ]);
}

export async function deleteVariable(namespace: string, path: string, expected: number, index: number): Promise<boolean> {
  return commit([
    { Delete: { TableName: config().tableName, Key: variableKey(namespace, path), ...expectVersion(expected) } },
    touchCollection(VARIABLES_COLLECTION, `${namespace}\0${path}`, index),
  ]);
}

/** Moves a held lock's deadline on, if `lockId` still holds it and its TTL has not run out; the variable is otherwise unchanged. */
export async function renewVariableLock(namespace: string, path: string, lockId: string, now: number, expiresAt: number): Promise<StoredVariable | undefined> {
  const result = await unlessConditionFails(
    dynamo().send(
      new UpdateCommand({
        TableName: config().tableName,
        Key: variableKey(namespace, path),
        ConditionExpression: '#lock.ID = :id AND #lock.expiresAt > :now',
        UpdateExpression: 'SET #lock.expiresAt = :expiresAt',
        ExpressionAttributeNames: { '#lock': 'Lock' },
        ExpressionAttributeValues: { ':id': lockId, ':now': now, ':expiresAt': expiresAt },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return result?.Attributes ? variableFromItem(result.Attributes) : undefined;
}

/** Whether a namespace holds any variable (a namespace is deleted only without them). */
export async function namespaceHasVariables(namespace: string): Promise<boolean> {
  const page = await dynamo().send(
    new QueryCommand({
      TableName: config().tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': variableKey(namespace, '').PK },
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  return (page.Items ?? []).length > 0;
}

/** The variables' collection index (Nomad's `variables` table index): moved by every write and delete. */
export function variablesIndex(): Promise<number> {
  return collectionIndex(VARIABLES_COLLECTION);
}

/**
 * Variables in (namespace, path) order, from `from` on (inclusive), only paths starting with
 * `prefix`: one namespace's partition, or every namespace through GSI1 (`namespace` undefined).
 * Read a DynamoDB page at a time, so a caller that stops early reads little more than it returns.
 */
export async function* walkVariables(options: { namespace?: string; prefix: string; from?: { namespace: string; path: string }; pageSize: number }): AsyncGenerator<StoredVariable> {
  const { namespace, prefix, from, pageSize } = options;
  let input: Item;
  if (namespace !== undefined) {
    const start = `VAR#${from && from.namespace === namespace && from.path > prefix ? from.path : prefix}`;
    if (beyondSortKeys(start)) return;
    input = {
      KeyConditionExpression: 'PK = :pk AND SK >= :start',
      ExpressionAttributeValues: { ':pk': variableKey(namespace, '').PK, ':start': start },
      ConsistentRead: true,
    };
  } else {
    const start = from ? `${from.namespace} ${from.path}` : ' ';
    if (beyondSortKeys(start)) return;
    input = {
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK >= :start',
      ExpressionAttributeValues: { ':pk': VARIABLES_LIST, ':start': start },
    };
  }
  let startKey: Item | undefined;
  do {
    const page = await dynamo().send(new QueryCommand({ TableName: config().tableName, Limit: pageSize, ExclusiveStartKey: startKey, ...input }));
    for (const item of page.Items ?? []) {
      if (!String(item.Path).startsWith(prefix)) {
        if (namespace !== undefined) return;
        continue;
      }
      yield variableFromItem(item);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}
