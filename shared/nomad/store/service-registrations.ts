import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { batchGet } from '../../storage/batch-get';
import { nextIndex } from '../../storage/index-clock';
import { beyondSortKeys } from '../../storage/key-limits';
import { queryAll } from '../../storage/query-all';
import { unlessConditionFails } from '../../storage/transact';
import { allocSk, jobPk } from './keys';
import { serviceSk, servicesByNamespace } from './client-keys';
import { queryJobItems } from './job-items';
import type { ServiceRegistration } from '../wire/client-protocol';

/**
 * Nomad-native service registrations (Nomad's ServiceRegistration), written by the agent running
 * the allocation. They live in their job's partition (so a job's services are one query) and in
 * GSI4 by namespace and service name. A registration is only served while its allocation is
 * live on the server: one whose allocation stopped or was lost with its node (the agent could not
 * deregister it) is skipped and deleted on the way.
 */

const FIELDS = ['ID', 'ServiceName', 'Namespace', 'NodeID', 'Datacenter', 'JobID', 'AllocID', 'Tags', 'Address', 'Port', 'CreateIndex', 'ModifyIndex'] as const;

function fromItem(item: Record<string, any>): ServiceRegistration {
  const out: Record<string, unknown> = {};
  for (const field of FIELDS) out[field] = item[field];
  out.Tags = item.Tags ?? [];
  return out as unknown as ServiceRegistration;
}

export async function upsertRegistration(registration: Omit<ServiceRegistration, 'CreateIndex' | 'ModifyIndex'>): Promise<number> {
  const index = nextIndex();
  await dynamo().send(
    new PutCommand({
      TableName: config().tableName,
      Item: {
        ...registration,
        PK: jobPk(registration.Namespace, registration.JobID),
        SK: serviceSk(registration.ID),
        GSI4PK: servicesByNamespace(registration.Namespace),
        GSI4SK: `${registration.ServiceName}#${registration.ID}`,
        CreateIndex: index,
        ModifyIndex: index,
      },
    }),
  );
  return index;
}

/** Deletes a registration; with `nodeId`, only if that node registered it. */
export async function deleteRegistration(namespace: string, jobId: string, id: string, nodeId?: string): Promise<void> {
  await unlessConditionFails(
    dynamo().send(
      new DeleteCommand({
        TableName: config().tableName,
        Key: { PK: jobPk(namespace, jobId), SK: serviceSk(id) },
        ...(nodeId ? { ConditionExpression: 'NodeID = :node', ExpressionAttributeValues: { ':node': nodeId } } : {}),
      }),
    ),
  );
}

/** Which of the registrations' allocations are live on the server. */
async function liveAllocs(registrations: ServiceRegistration[]): Promise<Set<string>> {
  const keys = [...new Map(registrations.map((r) => [r.AllocID, { PK: jobPk(r.Namespace, r.JobID), SK: allocSk(r.AllocID) }])).values()];
  const items = await batchGet(keys, { projection: 'ID, Live' });
  return new Set(items.filter((item) => item.Live).map((item) => item.ID as string));
}

async function onlyLive(registrations: ServiceRegistration[]): Promise<ServiceRegistration[]> {
  if (registrations.length === 0) return [];
  const live = await liveAllocs(registrations);
  const stale = registrations.filter((r) => !live.has(r.AllocID));
  await Promise.all(stale.map((r) => deleteRegistration(r.Namespace, r.JobID, r.ID)));
  return registrations.filter((r) => live.has(r.AllocID));
}

export async function jobRegistrations(namespace: string, jobId: string): Promise<ServiceRegistration[]> {
  const items = await queryJobItems(namespace, jobId, 'SERVICE#');
  return onlyLive(items.map(fromItem));
}

/** Every registration in a namespace, or of one service name, in name order. */
export async function namespaceRegistrations(namespace: string, serviceName?: string): Promise<ServiceRegistration[]> {
  const values: Record<string, string> = { ':pk': servicesByNamespace(namespace) };
  let condition = 'GSI4PK = :pk';
  if (serviceName !== undefined && beyondSortKeys(`${serviceName}#`)) return [];
  if (serviceName !== undefined) {
    values[':prefix'] = `${serviceName}#`;
    condition += ' AND begins_with(GSI4SK, :prefix)';
  }
  const items = await queryAll({ TableName: config().tableName, IndexName: 'GSI4', KeyConditionExpression: condition, ExpressionAttributeValues: values });
  return onlyLive(items.map(fromItem));
}

