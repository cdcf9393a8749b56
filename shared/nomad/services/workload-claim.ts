import type { WorkloadClaim } from '../acl/acl';
import { permissionDenied } from '../acl/guard';
import { authenticateNode, nodeAlloc } from './node-auth';
import { readJob } from '../store/jobs';

/**
 * The identity a task's template engine reads Variables with. Nomad gives each task a signed
 * workload identity; our agents instead prove who they are as for every agent extension (a
 * `node:write` token and the node's ID and secret) and name the allocation and task they act for,
 * which must be live on that node. The claim is Nomad's: the namespace, the job (a dispatched or
 * periodic child's parent), the task group and the task.
 */
export interface WorkloadHeaders {
  nodeId?: string;
  secret?: string;
  allocId: string;
  task?: string;
}

export async function workloadClaim(headers: WorkloadHeaders): Promise<WorkloadClaim> {
  const nodeId = await authenticateNode(headers);
  const stored = await nodeAlloc(nodeId, headers.allocId);
  if (!stored.live) throw permissionDenied();
  const { alloc } = stored;
  const record = await readJob(alloc.Namespace, alloc.JobID);
  const group = record?.job.TaskGroups?.find((candidate) => candidate.Name === alloc.TaskGroup);
  if (!headers.task || !group?.Tasks?.some((task) => task.Name === headers.task)) throw permissionDenied();
  return { Namespace: alloc.Namespace, Job: record!.job.ParentID || alloc.JobID, Group: alloc.TaskGroup, Task: headers.task };
}
