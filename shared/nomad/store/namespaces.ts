import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { queryListItems } from './list-items';
import { NAMESPACES_LIST, namespaceKey } from './keys';

/**
 * Nomad namespaces. `default` always exists (Nomad creates it at bootstrap); it can be updated
 * but never deleted. Stored items carry the Namespace's own fields.
 */
export interface Namespace {
  Name: string;
  Description: string;
  Quota: string;
  Capabilities: { EnabledTaskDrivers: string[] | null; DisabledTaskDrivers: string[] | null } | null;
  NodePoolConfiguration: { Default: string; Allowed: string[] | null; Denied: string[] | null } | null;
  Meta: Record<string, string> | null;
  CreateIndex: number;
  ModifyIndex: number;
}

export const DEFAULT_NAMESPACE = 'default';

function builtInDefault(): Namespace {
  return {
    Name: DEFAULT_NAMESPACE,
    Description: 'Default shared namespace',
    Quota: '',
    Capabilities: null,
    NodePoolConfiguration: null,
    Meta: null,
    CreateIndex: 1,
    ModifyIndex: 1,
  };
}

function fromItem(item: Record<string, any>): Namespace {
  const { PK: _pk, SK: _sk, GSI1PK: _g, GSI1SK: _s, ...namespace } = item;
  return namespace as Namespace;
}

export async function readNamespace(name: string): Promise<Namespace | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: namespaceKey(name), ConsistentRead: true }));
  if (result.Item) return fromItem(result.Item);
  return name === DEFAULT_NAMESPACE ? builtInDefault() : undefined;
}

/** Every namespace in name order, `default` included. */
export async function listNamespaces(prefix = ''): Promise<Namespace[]> {
  const stored = (await queryListItems(NAMESPACES_LIST, prefix)).map(fromItem);
  if (DEFAULT_NAMESPACE.startsWith(prefix) && !stored.some((namespace) => namespace.Name === DEFAULT_NAMESPACE)) stored.push(builtInDefault());
  return stored.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

export async function putNamespace(namespace: Namespace): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: config().tableName,
      Item: { ...namespaceKey(namespace.Name), GSI1PK: NAMESPACES_LIST, GSI1SK: namespace.Name, ...namespace },
    }),
  );
}

export async function deleteNamespace(name: string): Promise<void> {
  await dynamo().send(new DeleteCommand({ TableName: config().tableName, Key: namespaceKey(name) }));
}
