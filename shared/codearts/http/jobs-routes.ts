import { history, recordInfo, taskRunning } from '../services/build-views';
import { runBuild } from '../services/run-build';
import { stopBuild } from '../services/stop-build';
import { createTask, deleteTask } from '../services/tasks';
import { createdBody, deletedBody, historyBody, recordInfoBody, runBody } from './present';
import { authenticated, buildNoSchema, createTaskSchema, historySchema, jobIdSchema, jsonBody, pathParams, queryParams, runSchema, stopSchema } from './request';
import { handlers, respond, type CodeArtsApp } from './routing';

/** CodeArts Build's task API: create, run, stop, status, one build, history, delete. */

const create = handlers(authenticated, jsonBody(createTaskSchema), async (c) => {
  const task = await createTask(c.var.caller, c.var.body);
  return respond(c, createdBody(task));
});

const run = handlers(authenticated, jsonBody(runSchema), async (c) => {
  const { job_id: jobId, parameter, scm } = c.var.body;
  const record = await runBuild(c.var.caller, jobId, {
    parameters: parameter ?? [],
    scm: { buildTag: scm?.build_tag || null, buildCommitId: scm?.build_commit_id || null },
  });
  return respond(c, runBody(record));
});

const stop = handlers(authenticated, jsonBody(stopSchema), async (c) => {
  const { job_id: jobId, build_no: buildNo } = c.var.body;
  return respond(c, { result: await stopBuild(c.var.caller, jobId, buildNo) });
});

const taskPath = pathParams({ job_id: jobIdSchema });

const status = handlers(authenticated, taskPath, async (c) => {
  return respond(c, { result: await taskRunning(c.var.caller, c.req.valid('param').job_id) });
});

const showRecord = handlers(authenticated, pathParams({ job_id: jobIdSchema, build_no: buildNoSchema }), async (c) => {
  const { job_id: jobId, build_no: buildNo } = c.req.valid('param');
  const { task, ...view } = await recordInfo(c.var.caller, jobId, buildNo);
  return respond(c, recordInfoBody(task, view));
});

const listHistory = handlers(authenticated, taskPath, queryParams(historySchema), async (c) => {
  const query = c.req.valid('query');
  const { views, total } = await history(c.var.caller, c.req.valid('param').job_id, { page: query.offset, limit: query.limit, intervalDays: query.interval });
  return respond(c, historyBody(views, total));
});

const remove = handlers(authenticated, taskPath, async (c) => {
  return respond(c, deletedBody(await deleteTask(c.var.caller, c.req.valid('param').job_id)));
});

export function mountJobsRoutes(app: CodeArtsApp): void {
  app.post('/v3/jobs/create', ...create);
  app.post('/v3/jobs/build', ...run);
  app.post('/v3/jobs/stop', ...stop);
  app.get('/v3/jobs/:job_id/status', ...status);
  app.get('/v3/jobs/:job_id/history', ...listHistory);
  app.get('/v3/jobs/:job_id/:build_no/record-info', ...showRecord);
  app.post('/v3/jobs/:job_id/delete', ...remove);
}
