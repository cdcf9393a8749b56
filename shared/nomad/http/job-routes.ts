import type { Context } from 'hono';
import { actionHandler } from './ws-handlers';
import { requireNamespace } from '../acl/guard';
import { deregisterJob } from '../services/deregister-job';
import { readJobAllocs } from '../store/allocs';
import { listJobEvals } from '../store/evals';
import { readJob, readJobText } from '../store/jobs';
import { allocListStub } from '../wire/alloc-list-stub';
import { evaluationWire } from '../wire/evaluation';
import { jobDeregisterResponse } from '../wire/job-deregister-response';
import { jobJson } from '../wire/job';
import { blockingJson, blockingJsonText } from './blocking';
import { jobServicesHandler } from './client-routes';
import { methodNotAllowed, notFound, NomadError } from '../errors';
import { parseJobPath, type JobAction, type JobPath } from './job-path';
import { actionsHandler } from './job-actions-handler';
import { deploymentsHandler, latestDeploymentHandler } from './job-deployment-handlers';
import { evaluateHandler, planHandler } from './job-eval-handlers';
import { revertHandler, stableHandler, submissionHandler, tagHandler, untagHandler, versionsHandler } from './job-history-handlers';
import { dispatchHandler, periodicForceHandler } from './job-launch-handlers';
import { scaleHandler, scaleStatusHandler } from './job-scale-handlers';
import { handleRegister } from './jobs-routes';
import { boolParam, evalPriorityParam, namespaceParam } from './params';
import { nomadJson, setIndex } from './respond';

/**
 * `/v1/job/<id>[/<action>]`: the path is split by parseJobPath (job IDs may contain `/`), then the
 * action's handler for the request method runs. PUT and POST are interchangeable, as in Nomad.
 */
export type JobHandler = (c: Context, path: JobPath) => Promise<Response>;
type Method = 'GET' | 'POST' | 'DELETE';

async function readJobHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'read-job');
  return blockingJsonText(c, async () => {
    const stored = await readJobText(namespace, jobId);
    if (!stored) throw notFound('job not found');
    return { index: stored.state.ModifyIndex, body: jobJson(stored.spec, stored.state) };
  });
}

async function deregisterHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const purge = boolParam(c, 'purge');
  await requireNamespace(c, namespaceParam(c), 'submit-job', purge ? 'purge-job' : 'deregister-job');
  const result = await deregisterJob({
    namespace: namespaceParam(c),
    jobId,
    purge,
    evalPriority: evalPriorityParam(c),
  });
  setIndex(c, result.index);
  return nomadJson(c, jobDeregisterResponse(result));
}

async function summaryHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'read-job');
  return blockingJson(c, async () => {
    const record = await readJob(namespace, jobId, { children: true });
    if (!record) throw notFound('job not found');
    return { index: record.summary.ModifyIndex, body: record.summary };
  });
}

async function allocationsHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'read-job');
  const all = boolParam(c, 'all');
  return blockingJson(c, async () => {
    const [record, allocs] = await Promise.all([readJob(namespace, jobId), readJobAllocs(namespace, jobId)]);
    // Only the current registration's allocations, unless asked for all or the job is gone.
    const shown = record && !all ? allocs.filter((stored) => stored.jobCreateIndex === record.job.CreateIndex) : allocs;
    const index = shown.reduce((max, stored) => Math.max(max, stored.alloc.ModifyIndex), 0);
    const type = record?.job.Type ?? '';
    return { index, body: shown.map((stored) => allocListStub(stored, type)) };
  });
}

async function evaluationsHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'read-job');
  return blockingJson(c, async () => {
    const evals = await listJobEvals(namespace, jobId);
    const index = evals.reduce((max, evaluation) => Math.max(max, evaluation.ModifyIndex), 0);
    return { index, body: evals.map(evaluationWire) };
  });
}

export const jobHandlers: Partial<Record<JobAction, Partial<Record<Method, JobHandler>>>> = {
  job: {
    GET: readJobHandler,
    POST: (c, { jobId }) => handleRegister(c, jobId),
    DELETE: deregisterHandler,
  },
  summary: { GET: summaryHandler },
  allocations: { GET: allocationsHandler },
  evaluations: { GET: evaluationsHandler },
  versions: { GET: versionsHandler },
  submission: { GET: submissionHandler },
  revert: { POST: revertHandler },
  stable: { POST: stableHandler },
  tag: { POST: tagHandler, DELETE: untagHandler },
  deployments: { GET: deploymentsHandler },
  deployment: { GET: latestDeploymentHandler },
  dispatch: { POST: dispatchHandler },
  'periodic/force': { POST: periodicForceHandler },
  evaluate: { POST: evaluateHandler },
  plan: { POST: planHandler },
  scale: { GET: scaleStatusHandler, POST: scaleHandler },
  actions: { GET: actionsHandler },
  services: { GET: jobServicesHandler },
  action: { GET: actionHandler },
};

export async function handleJobPath(c: Context): Promise<Response> {
  const path = parseJobPath(new URL(c.req.url).pathname);
  if (!path) {
    if (new URL(c.req.url).pathname.endsWith('/tag')) throw notFound('invalid job tag endpoint');
    throw new NomadError(404, '');
  }
  const method = (c.req.method === 'PUT' ? 'POST' : c.req.method) as Method;
  const handler = jobHandlers[path.action]?.[method];
  if (!handler) throw methodNotAllowed();
  return handler(c, path);
}
