import type { Context } from 'hono';
import { requireNamespace } from '../acl/guard';
import { readJob } from '../store/jobs';
import { notFound } from '../errors';
import type { JobPath } from './job-path';
import { namespaceParam } from './params';
import { nomadJson, setQueryMeta } from './respond';

/** `GET /v1/job/:id/actions`: every task action, in group then task order. */
export async function actionsHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'read-job');
  const record = await readJob(namespace, jobId);
  if (!record) throw notFound(`Unknown job "${jobId}"`);
  const actions = record.job.TaskGroups.flatMap((group) =>
    group.Tasks.flatMap((task) =>
      (task.Actions ?? []).map((action) => ({
        Name: action.Name,
        Command: action.Command,
        Args: action.Args ?? null,
        TaskName: task.Name,
        TaskGroupName: group.Name,
      })),
    ),
  );
  setQueryMeta(c, record.job.ModifyIndex);
  return nomadJson(c, actions);
}
