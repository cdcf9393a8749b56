import type { Context } from 'hono';
import { requireNamespace } from '../acl/guard';
import { readJob } from '../store/jobs';
import { jobActions } from '../wire/job-action';
import { notFound } from '../errors';
import type { JobPath } from './job-path';
import { namespaceParam } from './params';
import { nomadJson, setQueryMeta } from './respond';

/** `GET /v1/job/:id/actions`. */
export async function actionsHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'read-job');
  const record = await readJob(namespace, jobId);
  if (!record) throw notFound(`Unknown job "${jobId}"`);
  setQueryMeta(c, record.job.ModifyIndex);
  return nomadJson(c, jobActions(record.job));
}
