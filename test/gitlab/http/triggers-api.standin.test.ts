import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Gitlab } from '@gitbeaker/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../../shared/aws/clients';
import { config } from '../../../shared/config';
import { triggerTokenKey } from '../../../shared/gitlab/store/keys';
import { client, finishJob, http, makeRunner, makeUser, projectWithCi, requestJob, startGitLab, type GitLabServer } from '../../support/gitlab';

/** Pipeline trigger tokens and the pipelines they (or a CI_JOB_TOKEN) create, through gitbeaker and curl-style requests. */
let server: GitLabServer;
let api: InstanceType<typeof Gitlab>;
let projectId: number;
let maintainer: { id: number; token: string };
let developer: { id: number; token: string };

const CI = 'build:\n  tags: [triggers]\n  script: [make]\n';

beforeAll(async () => {
  server = await startGitLab();
  api = client(server, server.root);
  projectId = (await projectWithCi(server, 'triggered', CI)).id;
  maintainer = await makeUser(server, 'maint');
  developer = await makeUser(server, 'dev');
  await api.ProjectMembers.add(projectId, 40, { userId: maintainer.id });
  await api.ProjectMembers.add(projectId, 30, { userId: developer.id });
});
afterAll(async () => server.stop());

describe('/projects/:id/triggers', () => {
  it('creates, lists, shows, edits and deletes trigger tokens, the full token only to its owner', async () => {
    const created = await api.PipelineTriggerTokens.create(projectId, 'nightly');
    expect(created).toMatchObject({ id: expect.any(Number), description: 'nightly', last_used: null, expires_at: null, owner: { id: 1, username: 'root' } });
    expect(created.token).toMatch(/^glptt-[0-9a-f]{40}$/);
    expect(await api.PipelineTriggerTokens.show(projectId, created.id)).toMatchObject({ token: created.token });

    const asMaintainer = client(server, maintainer.token);
    const listed = await asMaintainer.PipelineTriggerTokens.all(projectId);
    expect(listed).toEqual([expect.objectContaining({ id: created.id, token: created.token.slice(6, 10) })]);
    expect(await http(server, 'PUT', `/api/v4/projects/${projectId}/triggers/${created.id}`, { token: maintainer.token, json: { description: 'mine now' } })).toMatchObject({
      status: 403,
      body: { message: '403 Forbidden - The current user is not authorized to manage the pipeline trigger token' },
    });
    expect(await api.PipelineTriggerTokens.edit(projectId, created.id, { description: 'every night' })).toMatchObject({ description: 'every night', token: created.token });

    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/triggers`, { token: developer.token })).status).toBe(403);
    expect(await http(server, 'POST', `/api/v4/projects/${projectId}/triggers`, { token: developer.token, json: { description: 'x' } })).toMatchObject({
      status: 403,
      body: { message: '403 Forbidden - The current user is not authorized to create a pipeline trigger token' },
    });
    expect(await http(server, 'POST', `/api/v4/projects/${projectId}/triggers`, { token: server.root, json: {} })).toMatchObject({ status: 400, body: { error: 'description is missing' } });
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/triggers`)).status).toBe(401);

    await api.PipelineTriggerTokens.remove(projectId, created.id);
    expect(await http(server, 'GET', `/api/v4/projects/${projectId}/triggers/${created.id}`, { token: server.root })).toMatchObject({ status: 404, body: { message: '404 Not found' } });
    expect(await http(server, 'POST', `/api/v4/projects/${projectId}/trigger/pipeline`, { json: { token: created.token, ref: 'main' } })).toMatchObject({ status: 404, body: { message: '404 Not Found' } });
  });
});

describe('POST /projects/:id/trigger/pipeline', () => {
  it('runs a pipeline as the trigger owner with the given variables and TRIGGER_PAYLOAD, from a form, JSON or the ref path', async () => {
    const trigger = await client(server, maintainer.token).PipelineTriggerTokens.create(projectId, 'deploys');
    const pipeline = await api.PipelineTriggerTokens.trigger(projectId, 'main', trigger.token, { variables: { DEPLOY_TO: 'staging' } });
    expect(pipeline).toMatchObject({ source: 'trigger', ref: 'main', status: 'pending', user: { id: maintainer.id } });
    const variables = await api.Pipelines.allVariables(projectId, pipeline.id);
    expect(variables).toEqual([
      { variable_type: 'env_var', key: 'DEPLOY_TO', value: 'staging', raw: false },
      { variable_type: 'file', key: 'TRIGGER_PAYLOAD', value: expect.any(String), raw: false },
    ]);
    const payload = JSON.parse(variables[1].value as string);
    expect(payload).toMatchObject({ ref: 'main', variables: { DEPLOY_TO: 'staging' } });
    expect(JSON.stringify(payload)).not.toContain(trigger.token);
    expect((await api.PipelineTriggerTokens.show(projectId, trigger.id)).last_used).toEqual(expect.any(String));

    const json = await http(server, 'POST', `/api/v4/projects/${projectId}/trigger/pipeline`, { json: { token: trigger.token, ref: 'main', variables: { A: '1' } } });
    expect(json).toMatchObject({ status: 201, body: { source: 'trigger' } });
    const byPath = await http(server, 'POST', `/api/v4/projects/root%2Ftriggered/ref/main/trigger/pipeline?token=${trigger.token}`);
    expect(byPath).toMatchObject({ status: 201, body: { source: 'trigger', ref: 'main', project_id: projectId } });
  });

  it('answers GitLab\'s errors', async () => {
    const trigger = await api.PipelineTriggerTokens.create(projectId, 'errors');
    const post = (json: unknown, path = `/api/v4/projects/${projectId}/trigger/pipeline`) => http(server, 'POST', path, { json });
    expect(await post({ token: trigger.token })).toMatchObject({ status: 400, body: { error: 'ref is missing' } });
    expect(await post({ token: trigger.token, ref: '' })).toMatchObject({ status: 400, body: { error: 'ref is empty' } });
    expect(await post({ token: trigger.token, ref: 'main', variables: { A: 1 } })).toMatchObject({ status: 400, body: { message: 'variables needs to be a map of key-valued strings' } });
    expect(await post({ token: 'glptt-nope', ref: 'main' })).toMatchObject({ status: 404, body: { message: '404 Not Found' } });
    expect(await post({ token: trigger.token, ref: 'no-such-branch' })).toMatchObject({ status: 400, body: { message: { base: ['Reference not found'] } } });
    const other = (await projectWithCi(server, 'other-triggered', CI)).id;
    expect(await post({ token: trigger.token, ref: 'main' }, `/api/v4/projects/${other}/trigger/pipeline`)).toMatchObject({ status: 404, body: { message: '404 Not Found' } });
    expect(await post({ token: trigger.token, ref: 'main' }, '/api/v4/projects/99999/trigger/pipeline')).toMatchObject({ status: 404, body: { message: '404 Not Found' } });
    expect((await http(server, 'POST', `/api/v4/projects/${projectId}/trigger/pipeline`, { json: { token: trigger.token, ref: 'main' }, headers: { 'X-Gitlab-Event': 'Pipeline Hook' } })).status).toBe(403);
    // An owner who lost the right to run pipelines.
    const leaving = await makeUser(server, 'leaving');
    await api.ProjectMembers.add(projectId, 40, { userId: leaving.id });
    const theirs = await client(server, leaving.token).PipelineTriggerTokens.create(projectId, 'theirs');
    await api.ProjectMembers.edit(projectId, leaving.id, 20);
    expect(await post({ token: theirs.token, ref: 'main' })).toMatchObject({ status: 400, body: { message: { base: ['Insufficient permissions to create a new pipeline'] } } });
  });

  it('takes a running job\'s CI_JOB_TOKEN: the pipeline\'s source is `pipeline`, its user the job\'s', async () => {
    const runner = await makeRunner(server, { tags: ['triggers'], runUntagged: false });
    const upstream = (await projectWithCi(server, 'upstream', CI)).id;
    await api.Pipelines.create(upstream, 'main');
    const triggered = (job: { body: { variables: { key: string; value: string }[] } }) => job.body.variables.find((variable) => variable.key === 'CI_PIPELINE_TRIGGERED')?.value;
    let job = await requestJob(server, runner.token);
    // The jobs of the pipelines trigger tokens ran before (older, so taken first) are told so.
    let triggeredJobs = 0;
    while (job.status === 201 && job.body.job_info.project_id !== upstream) {
      expect(triggered(job)).toBe('true');
      triggeredJobs++;
      job = await requestJob(server, runner.token);
    }
    expect(triggeredJobs).toBeGreaterThan(0);
    expect(job.status).toBe(201);
    expect(triggered(job)).toBeUndefined();
    const downstream = await http(server, 'POST', `/api/v4/projects/${projectId}/trigger/pipeline`, { json: { token: job.body.token, ref: 'main', variables: { FROM: 'upstream' } } });
    expect(downstream).toMatchObject({ status: 201, body: { source: 'pipeline', user: { id: 1 } } });
    await finishJob(server, job.body.id, job.body.token, 'success');
    expect(await http(server, 'POST', `/api/v4/projects/${projectId}/trigger/pipeline`, { json: { token: job.body.token, ref: 'main' } })).toMatchObject({ status: 401, body: { message: 'Job is not running' } });
  });
});

describe('deleting a project', () => {
  it('takes its trigger tokens along, lookups included', async () => {
    const doomed = (await projectWithCi(server, 'doomed-triggers', CI)).id;
    const trigger = await api.PipelineTriggerTokens.create(doomed, 'doomed');
    const lookup = () => dynamo().send(new GetCommand({ TableName: config().tableName, Key: triggerTokenKey(createHash('sha256').update(trigger.token).digest('hex')) }));
    expect((await lookup()).Item).toBeDefined();
    expect((await http(server, 'DELETE', `/api/v4/projects/${doomed}`, { token: server.root })).status).toBe(202);
    expect((await lookup()).Item).toBeUndefined();
    expect(await http(server, 'POST', `/api/v4/projects/${doomed}/trigger/pipeline`, { json: { token: trigger.token, ref: 'main' } })).toMatchObject({ status: 404 });
  });
});
