import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { transact, type TransactItem } from '../../storage/transact';
import { GIT_PACK_PREFIX, GIT_REF_PREFIX, GIT_RETIRED_PREFIX, GIT_SK_PREFIX, gitPackKey, gitRefKey, gitRetiredKey, projectPk } from './keys';

/**
 * A project's git refs and the list of its packfiles, all in the project's partition under `GIT#`,
 * so one query tells a fetch everything it needs (the bucket is never listed). Refs move only by
 * compare-and-set, in one transaction with the registration of the pack that brings their objects:
 * a pack is visible exactly when a ref that needs it is.
 */
export interface PackEntry {
  name: string;
  objects: number;
  bytes: number;
}

export interface GitState {
  refs: Map<string, string>;
  packs: PackEntry[];
  /** Packs a compaction replaced, with when: their files stay a while for readers that listed them before. */
  retired: { name: string; retiredAt: number }[];
}

export interface RefUpdate {
  name: string;
  /** The value the writer saw; `undefined` for a ref it creates. */
  old: string | undefined;
  /** `undefined` deletes the ref. */
  new: string | undefined;
}

export async function readGitState(projectId: number): Promise<GitState> {
  const state: GitState = { refs: new Map(), packs: [], retired: [] };
  let startKey: Record<string, unknown> | undefined;
  do {
    const input: QueryCommandInput = {
      TableName: config().tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :git)',
      ExpressionAttributeValues: { ':pk': projectPk(projectId), ':git': GIT_SK_PREFIX },
      ConsistentRead: true,
      ExclusiveStartKey: startKey,
    };
    const page = await dynamo().send(new QueryCommand(input));
    for (const item of page.Items ?? []) {
      const sk = item.SK as string;
      if (sk.startsWith(GIT_REF_PREFIX)) state.refs.set(sk.slice(GIT_REF_PREFIX.length), item.oid as string);
      else if (sk.startsWith(GIT_PACK_PREFIX)) state.packs.push({ name: sk.slice(GIT_PACK_PREFIX.length), objects: item.objects as number, bytes: item.bytes as number });
      else if (sk.startsWith(GIT_RETIRED_PREFIX)) state.retired.push({ name: sk.slice(GIT_RETIRED_PREFIX.length), retiredAt: item.retiredAt as number });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return state;
}

function refItem(projectId: number, update: RefUpdate): TransactItem {
  const key = gitRefKey(projectId, update.name);
  const table = config().tableName;
  if (update.new === undefined) {
    return { Delete: { TableName: table, Key: key, ConditionExpression: 'oid = :old', ExpressionAttributeValues: { ':old': update.old } } };
  }
  const item = { ...key, oid: update.new, updatedAt: Date.now() };
  if (update.old === undefined) return { Put: { TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } };
  return { Put: { TableName: table, Item: item, ConditionExpression: 'oid = :old', ExpressionAttributeValues: { ':old': update.old } } };
}

/**
 * Registers `pack` (when the updates need new objects) and applies every update, all or nothing.
 * A ref that moved since the writer read it fails the whole transaction with a TransactionConflict
 * whose `failedConditions` are positions in `updates`.
 */
export async function updateRefs(projectId: number, pack: PackEntry | undefined, updates: RefUpdate[]): Promise<void> {
  const items = updates.map((update) => refItem(projectId, update));
  if (pack) {
    items.push({ Put: { TableName: config().tableName, Item: { ...gitPackKey(projectId, pack.name), objects: pack.objects, bytes: pack.bytes, createdAt: Date.now() } } });
  }
  await transact(items);
}

/**
 * A compaction: `added` (holding every object of `removed`) registered and `removed` retired in
 * one transaction, so readers see either set. A TransactionConflict means another compaction
 * retired one of them first.
 */
export async function replacePacks(projectId: number, added: PackEntry, removed: string[]): Promise<void> {
  const table = config().tableName;
  const now = Date.now();
  await transact([
    { Put: { TableName: table, Item: { ...gitPackKey(projectId, added.name), objects: added.objects, bytes: added.bytes, createdAt: now }, ConditionExpression: 'attribute_not_exists(PK)' } },
    ...removed.flatMap((name): TransactItem[] => [
      { Delete: { TableName: table, Key: gitPackKey(projectId, name), ConditionExpression: 'attribute_exists(PK)' } },
      { Put: { TableName: table, Item: { ...gitRetiredKey(projectId, name), retiredAt: now } } },
    ]),
  ]);
}

/** Retired packs whose files are gone. */
export async function forgetRetiredPacks(projectId: number, names: string[]): Promise<void> {
  for (let i = 0; i < names.length; i += 100) {
    await transact(names.slice(i, i + 100).map((name) => ({ Delete: { TableName: config().tableName, Key: gitRetiredKey(projectId, name) } })));
  }
}
