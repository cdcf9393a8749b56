import type { Context } from 'hono';
import { invalidParameter } from '../errors';
import { history, recordInfo, taskRunning } from '../services/build-views';
import { runBuild } from '../services/run-build';
import { stopBuild } from '../services/stop-build';
import { createTask, deleteTask } from '../services/tasks';
import { createdBody, deletedBody, historyBody, recordInfoBody, runBody } from './present';
import { buildNoOf, caller, check, createTaskSchema, historySchema, jobIdOf, jsonObject, runSchema } from './request';
import { codearts, respond } from './routing';

/** CodeArts Build's task API: create, run, stop, status, one build, history, delete. */

async function create(c: Context) {
  const who = await caller(c);
  const body = check(createTaskSchema, await jsonObject(c), invalidParameter);
  const task = await createTask(who, body);
  return respond(c, createdBody(task));
}

async function run(c: Context) {
  const who = await caller(c);
  const body = await jsonObject(c);
  const jobId = jobIdOf(body.job_id);
  const { parameter, scm } = check(runSchema, body, invalidParameter);
  const record = await runBuild(who, jobId, {
    parameters: parameter ?? [],
    scm: { buildTag: scm?.build_tag || null, buildCommitId: scm?.build_commit_id || null },
  });
  return respond(c, runBody(record));
}

async function stop(c: Context) {
  const who = await caller(c);
  const body = await jsonObject(c);
  const jobId = jobIdOf(body.job_id);
  const buildNo = buildNoOf(body.build_no);
  return respond(c, { result: await stopBuild(who, jobId, buildNo) });
}

async function status(c: Context) {
  const who = await caller(c);
  const jobId = jobIdOf(c.req.param('job_id'));
  return respond(c, { result: await taskRunning(who, jobId) });
}

async function showRecord(c: Context) {
  const who = await caller(c);
  const jobId = jobIdOf(c.req.param('job_id'));
  const buildNo = buildNoOf(c.req.param('build_no'));
  const { task, ...view } = await recordInfo(who, jobId, buildNo);
  return respond(c, recordInfoBody(task, view));
}

async function listHistory(c: Context) {
  const who = await caller(c);
  const jobId = jobIdOf(c.req.param('job_id'));
  const query = check(historySchema, { offset: c.req.query('offset'), limit: c.req.query('limit'), interval: c.req.query('interval') }, invalidParameter);
  const { views, total } = await history(who, jobId, { page: query.offset, limit: query.limit, intervalDays: query.interval });
  return respond(c, historyBody(views, total));
}

async function remove(c: Context) {
  const who = await caller(c);
  const jobId = jobIdOf(c.req.param('job_id'));
  return respond(c, deletedBody(await deleteTask(who, jobId)));
}

codearts.post('/v3/jobs/create', create);
codearts.post('/v3/jobs/build', run);
codearts.post('/v3/jobs/stop', stop);
codearts.get('/v3/jobs/:job_id/status', status);
codearts.get('/v3/jobs/:job_id/history', listHistory);
codearts.get('/v3/jobs/:job_id/:build_no/record-info', showRecord);
codearts.post('/v3/jobs/:job_id/delete', remove);
