import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { batchGet } from '../../storage/batch-get';
import type { PolicyRules } from '../acl/policy';
import { ACL_POLICIES_LIST, aclPolicyKey } from './keys';
import { queryListItems } from './list-items';

/**
 * ACL policy items. The raw `Rules` are kept as written (they are what users read back); the
 * parsed form is kept next to them so resolving a token never parses HCL.
 */
export interface StoredPolicy {
  Name: string;
  Description: string;
  Rules: string;
  JobACL: unknown;
  CreateIndex: number;
  ModifyIndex: number;
  parsed: PolicyRules;
}

type Item = Record<string, any>;

function fromItem(item: Item): StoredPolicy {
  return {
    Name: item.Name,
    Description: item.Description ?? '',
    Rules: item.Rules,
    JobACL: item.JobACL ?? null,
    CreateIndex: Number(item.CreateIndex),
    ModifyIndex: Number(item.ModifyIndex),
    parsed: JSON.parse(item.Parsed),
  };
}

/** Writes a policy in one UpdateItem, keeping its CreateIndex if it exists already. */
export async function putPolicy(policy: Omit<StoredPolicy, 'CreateIndex' | 'ModifyIndex'>, index: number): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: config().tableName,
      Key: aclPolicyKey(policy.Name),
      UpdateExpression:
        'SET GSI1PK = :gsi1pk, GSI1SK = :name, #name = :name, #description = :description, #rules = :rules, JobACL = :jobAcl, Parsed = :parsed, ' +
        'CreateIndex = if_not_exists(CreateIndex, :index), ModifyIndex = :index',
      ExpressionAttributeNames: { '#name': 'Name', '#description': 'Description', '#rules': 'Rules' },
      ExpressionAttributeValues: {
        ':gsi1pk': ACL_POLICIES_LIST,
        ':name': policy.Name,
        ':description': policy.Description,
        ':rules': policy.Rules,
        ':jobAcl': policy.JobACL ?? null,
        ':parsed': JSON.stringify(policy.parsed),
        ':index': index,
      },
    }),
  );
}

export async function readPolicy(name: string): Promise<StoredPolicy | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: aclPolicyKey(name), ConsistentRead: true }));
  return result.Item ? fromItem(result.Item) : undefined;
}

/** The named policies that exist (one BatchGet; a token names few). */
export async function readPolicies(names: string[]): Promise<StoredPolicy[]> {
  const unique = [...new Set(names)];
  return (await batchGet(unique.map(aclPolicyKey), { consistent: true })).map(fromItem);
}

export async function listPolicies(prefix?: string): Promise<StoredPolicy[]> {
  return (await queryListItems(ACL_POLICIES_LIST, prefix)).map(fromItem);
}

export async function deletePolicy(name: string): Promise<void> {
  await dynamo().send(new DeleteCommand({ TableName: config().tableName, Key: aclPolicyKey(name) }));
}
