import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { batchGet } from '../../storage/batch-get';
import { transact, TransactionConflict } from '../../storage/transact';
import type { UserRecord } from '../records';
import { nextId } from './counters';
import { recordOf } from './item';
import { counterKey, userKey, usernameKey } from './keys';

/** Users, and the unique username each holds. User 1 is `root`, the administrator the bootstrap token acts as. */
const ROOT_USER_ID = 1;

export class UsernameTaken extends Error {}

function putUser(user: UserRecord) {
  const table = config().tableName;
  return [
    { Put: { TableName: table, Item: { ...userKey(user.id), ...user }, ConditionExpression: 'attribute_not_exists(PK)' } },
    { Put: { TableName: table, Item: { ...usernameKey(user.username), userId: user.id }, ConditionExpression: 'attribute_not_exists(PK)' } },
  ];
}

let rootEnsured = false;

/** Writes `root` once per process (a no-op when it is there already); answers the record written. */
async function insertRoot(): Promise<UserRecord> {
  const root: UserRecord = { id: ROOT_USER_ID, username: 'root', name: 'Administrator', email: 'admin@example.com', admin: true, state: 'active', createdAt: Date.now() };
  if (!rootEnsured) {
    try {
      await transact(putUser(root));
    } catch (error) {
      if (!(error instanceof TransactionConflict) || error.transient) throw error;
    }
    rootEnsured = true;
  }
  return root;
}

export async function ensureRootUser(): Promise<UserRecord> {
  const root = await insertRoot();
  return (await getUser(ROOT_USER_ID)) ?? root;
}

export async function createUser(fields: Omit<UserRecord, 'id' | 'createdAt' | 'state'>): Promise<UserRecord> {
  // Root first, so that nobody else takes the username `root`.
  await insertRoot();
  const user: UserRecord = { ...fields, id: await nextId('user', ROOT_USER_ID), state: 'active', createdAt: Date.now() };
  try {
    await transact(putUser(user));
  } catch (error) {
    if (error instanceof TransactionConflict && error.failedConditions.includes(1)) throw new UsernameTaken();
    throw error;
  }
  return user;
}

export async function getUser(id: number): Promise<UserRecord | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: userKey(id) }));
  return result.Item ? recordOf<UserRecord>(result.Item) : undefined;
}

/** Users by id, for presenting many at once (one BatchGet). */
export async function getUsers(ids: Iterable<number>): Promise<Map<number, UserRecord>> {
  const items = await batchGet([...new Set(ids)].map(userKey));
  return new Map(items.map((item) => [Number(item.id), recordOf<UserRecord>(item)]));
}

export async function getUserByUsername(username: string): Promise<UserRecord | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: usernameKey(username) }));
  return result.Item ? getUser(Number(result.Item.userId)) : undefined;
}

/** Every user: ids run from root's up to the user counter, and users are never deleted. */
export async function listAllUsers(): Promise<UserRecord[]> {
  await insertRoot();
  const counter = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: counterKey('user') }));
  const last = Math.max(ROOT_USER_ID, Number(counter.Item?.Value ?? ROOT_USER_ID));
  const users = await getUsers(Array.from({ length: last }, (_, i) => i + 1));
  return [...users.values()].sort((a, b) => a.id - b.id);
}
