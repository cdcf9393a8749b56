import type { Context } from 'hono';
import { requireNamespace } from '../acl/guard';
import { listJobDeployments } from '../store/deployments';
import { readJob } from '../store/jobs';
import { blockingJson } from './blocking';
import type { JobPath } from './job-path';
import { boolParam, namespaceParam } from './params';

/**
 * A job's deployments, newest first: those of its current registration unless `all` is set (or
 * the job is gone), and the latest one alone (`null` when there is none).
 */
async function currentDeployments(namespace: string, jobId: string, all: boolean) {
  const [record, deployments] = await Promise.all([readJob(namespace, jobId), listJobDeployments(namespace, jobId)]);
  const shown = record && !all ? deployments.filter((deployment) => deployment.JobCreateIndex === record.job.CreateIndex) : deployments;
  const index = deployments.reduce((max, deployment) => Math.max(max, deployment.ModifyIndex), 0);
  return { index, shown };
}

export async function deploymentsHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'read-job');
  const all = boolParam(c, 'all');
  return blockingJson(c, async () => {
    const { index, shown } = await currentDeployments(namespace, jobId, all);
    return { index, body: shown };
  });
}

export async function latestDeploymentHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'read-job');
  return blockingJson(c, async () => {
    const { index, shown } = await currentDeployments(namespace, jobId, false);
    return { index, body: shown[0] ?? null };
  });
}
