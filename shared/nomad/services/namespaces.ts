import { config } from '../../config';
import { nextIndex } from '../../storage/index-clock';
import { badRequest, notFound } from '../errors';
import { walkJobs } from '../store/jobs';
import { DEFAULT_NAMESPACE, deleteNamespace, putNamespace, readNamespace, type Namespace } from '../store/namespaces';
import { namespaceHasVariables } from '../store/variables';

/**
 * Namespace writes (Namespace.UpsertNamespaces / DeleteNamespaces) with Nomad's checks: valid
 * names, short descriptions, `default` never deleted, and no namespace deleted while a job in it
 * is not dead.
 */
const VALID_NAME = /^[a-zA-Z0-9-]{1,128}$/;

export interface NamespaceRequest {
  Name?: string;
  Description?: string;
  Quota?: string;
  Meta?: Record<string, string> | null;
  Capabilities?: Namespace['Capabilities'];
  NodePoolConfiguration?: Namespace['NodePoolConfiguration'];
}

export async function upsertNamespace(request: NamespaceRequest): Promise<number> {
  const name = request.Name ?? '';
  if (!VALID_NAME.test(name)) throw badRequest(`invalid name "${name}". Must match regex ^[a-zA-Z0-9-]{1,128}$`);
  if ((request.Description ?? '').length > 256) throw badRequest('description longer than 256');
  const existing = await readNamespace(name);
  const index = nextIndex();
  await putNamespace({
    Name: name,
    Description: request.Description ?? '',
    Quota: request.Quota ?? '',
    Capabilities: request.Capabilities ?? null,
    NodePoolConfiguration: request.NodePoolConfiguration ?? null,
    Meta: request.Meta && Object.keys(request.Meta).length > 0 ? request.Meta : null,
    CreateIndex: existing && existing.CreateIndex > 1 ? existing.CreateIndex : index,
    ModifyIndex: index,
  });
  return index;
}

async function hasLiveJobs(namespace: string): Promise<boolean> {
  for await (const record of walkJobs({ namespace, reverse: false, pageSize: 100 })) if (record.job.Status !== 'dead') return true;
  return false;
}

export async function removeNamespace(name: string): Promise<number> {
  if (name === DEFAULT_NAMESPACE) throw badRequest('can not delete default namespace');
  if (!(await readNamespace(name))) throw notFound(`namespace "${name}" does not exist`);
  if (await hasLiveJobs(name)) throw badRequest(`namespace "${name}" has non-terminal jobs in regions: [${config().region}]`);
  if (await namespaceHasVariables(name)) {
    throw badRequest(`namespace "${name}" contains at least one variable. All variables in namespace must be deleted before it can be deleted`);
  }
  await deleteNamespace(name);
  return nextIndex();
}
