import { Gitlab } from '@gitbeaker/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDueSchedules } from '../../../shared/gitlab/services/pipeline-schedules';
import { runPeriodicDuties } from '../../../shared/duties/duties';
import { client, http, makeUser, projectWithCi, startGitLab, type GitLabServer } from '../../support/gitlab';

/** Pipeline schedules: CRUD, ownership, variables and play through gitbeaker; runs by the periodic duties. */
let server: GitLabServer;
let api: InstanceType<typeof Gitlab>;
let projectId: number;
let developer: { id: number; token: string };
let maintainer: { id: number; token: string };

const CI = 'nightly:\n  script: [make]\n  rules:\n    - if: $CI_PIPELINE_SOURCE == "schedule"\n';

beforeAll(async () => {
  server = await startGitLab();
  api = client(server, server.root);
  projectId = (await projectWithCi(server, 'scheduled', CI)).id;
  developer = await makeUser(server, 'sched-dev');
  maintainer = await makeUser(server, 'sched-maint');
  await api.ProjectMembers.add(projectId, 30, { userId: developer.id });
  await api.ProjectMembers.add(projectId, 40, { userId: maintainer.id });
});
afterAll(async () => server.stop());

describe('/projects/:id/pipeline_schedules', () => {
  it('creates a schedule with its next run from the cron in its time zone, and lists, shows, edits and deletes it', async () => {
    const dev = client(server, developer.token);
    const created = await dev.PipelineSchedules.create(projectId, 'nightly build', 'main', '30 2 * * *', { cronTimezone: 'Asia/Tokyo' });
    expect(created).toMatchObject({ description: 'nightly build', ref: 'main', cron: '30 2 * * *', cron_timezone: 'Asia/Tokyo', active: true, owner: { id: developer.id }, last_pipeline: null, variables: [] });
    // 02:30 in Tokyo is 17:30 UTC.
    expect(created.next_run_at).toMatch(/T17:30:00\.000Z$/);
    expect(Date.parse(created.next_run_at as string)).toBeGreaterThan(Date.now());

    // ActiveSupport's names are taken as GitLab takes them: 09:00 in Los Angeles is 16:00 or 17:00 UTC.
    const pacific = await dev.PipelineSchedules.create(projectId, 'pacific', 'main', '0 9 * * *', { cronTimezone: 'Pacific Time (US & Canada)' });
    expect(pacific).toMatchObject({ cron_timezone: 'Pacific Time (US & Canada)', next_run_at: expect.stringMatching(/T1[67]:00:00\.000Z$/) });
    await dev.PipelineSchedules.remove(projectId, pacific.id);
    const inactive = await dev.PipelineSchedules.create(projectId, 'paused', 'main', '0 * * * *', { active: false });
    expect((await api.PipelineSchedules.all(projectId)).map((schedule) => schedule.id)).toEqual([inactive.id, created.id]);
    expect((await api.PipelineSchedules.all(projectId, { scope: 'inactive' })).map((schedule) => schedule.id)).toEqual([inactive.id]);
    expect(await api.PipelineSchedules.show(projectId, created.id)).toMatchObject({ id: created.id, owner: { id: developer.id } });

    const edited = await dev.PipelineSchedules.edit(projectId, created.id, { cron: '0 4 * * 1', cronTimezone: 'UTC', description: 'weekly' });
    expect(edited).toMatchObject({ cron: '0 4 * * 1', description: 'weekly' });
    expect(new Date(edited.next_run_at as string).getUTCDay()).toBe(1);
    // Only the owner edits; a maintainer takes ownership first.
    expect((await http(server, 'PUT', `/api/v4/projects/${projectId}/pipeline_schedules/${created.id}`, { token: maintainer.token, json: { description: 'x' } })).status).toBe(403);
    const taken = await http(server, 'POST', `/api/v4/projects/${projectId}/pipeline_schedules/${created.id}/take_ownership`, { token: maintainer.token });
    expect(taken).toMatchObject({ status: 201, body: { owner: { id: maintainer.id } } });
    expect((await http(server, 'POST', `/api/v4/projects/${projectId}/pipeline_schedules/${created.id}/take_ownership`, { token: maintainer.token })).status).toBe(200);
    expect((await http(server, 'POST', `/api/v4/projects/${projectId}/pipeline_schedules/${created.id}/take_ownership`, { token: developer.token })).status).toBe(403);

    await client(server, maintainer.token).PipelineSchedules.remove(projectId, created.id);
    expect(await http(server, 'GET', `/api/v4/projects/${projectId}/pipeline_schedules/${created.id}`, { token: server.root })).toMatchObject({
      status: 404,
      body: { message: '404 Pipeline Schedule Not Found' },
    });
  });

  it('answers the model\'s validation errors and Grape\'s', async () => {
    const post = (json: unknown, token = server.root) => http(server, 'POST', `/api/v4/projects/${projectId}/pipeline_schedules`, { token, json });
    expect(await post({ description: 'x', ref: 'main', cron: 'every day' })).toMatchObject({ status: 400, body: { message: { cron: [' is invalid syntax'] } } });
    expect(await post({ description: 'x', ref: 'main', cron: '* * * * *', cron_timezone: 'Mars/Olympus' })).toMatchObject({ status: 400, body: { message: { cron_timezone: [' is invalid syntax'] } } });
    expect(await post({ description: '', ref: 'main', cron: '* * * * *' })).toMatchObject({ status: 400, body: { message: { description: ["can't be blank"] } } });
    expect(await post({ description: 'x', ref: 'main', cron: '' })).toMatchObject({ status: 400, body: { message: { cron: [' is invalid syntax', "can't be blank"] } } });
    expect(await post({ description: 'x', cron: '* * * * *' })).toMatchObject({ status: 400, body: { error: 'ref is missing' } });
    const reporter = await makeUser(server, 'sched-reporter');
    await api.ProjectMembers.add(projectId, 20, { userId: reporter.id });
    expect((await post({ description: 'x', ref: 'main', cron: '* * * * *' }, reporter.token)).status).toBe(403);
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/pipeline_schedules`)).status).toBe(401);
  });

  it('keeps variables, shown to those who administer the schedule', async () => {
    const dev = client(server, developer.token);
    const schedule = await dev.PipelineSchedules.create(projectId, 'with variables', 'main', '0 0 * * *');
    expect(await dev.PipelineScheduleVariables.create(projectId, schedule.id, 'TARGET', 'prod')).toEqual({ variable_type: 'env_var', key: 'TARGET', value: 'prod', raw: false });
    await dev.PipelineScheduleVariables.create(projectId, schedule.id, 'CONFIG', 'a=1', { variableType: 'file' });
    expect(await http(server, 'POST', `/api/v4/projects/${projectId}/pipeline_schedules/${schedule.id}/variables`, { token: developer.token, json: { key: 'TARGET', value: 'x' } })).toMatchObject({
      status: 400,
      body: { message: { key: ['(TARGET) has already been taken'] } },
    });
    expect(await dev.PipelineScheduleVariables.edit(projectId, schedule.id, 'TARGET', 'staging')).toMatchObject({ key: 'TARGET', value: 'staging' });
    expect(await http(server, 'GET', `/api/v4/projects/${projectId}/pipeline_schedules/${schedule.id}/variables/CONFIG`, { token: developer.token })).toMatchObject({
      status: 200,
      body: { variable_type: 'file', key: 'CONFIG', value: 'a=1' },
    });
    expect((await dev.PipelineSchedules.show(projectId, schedule.id)).variables).toEqual([
      { variable_type: 'env_var', key: 'TARGET', value: 'staging', raw: false },
      { variable_type: 'file', key: 'CONFIG', value: 'a=1', raw: false },
    ]);
    const other = await makeUser(server, 'sched-dev2');
    await api.ProjectMembers.add(projectId, 30, { userId: other.id });
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/pipeline_schedules/${schedule.id}`, { token: other.token })).body.variables).toBeUndefined();
    const removed = await http(server, 'DELETE', `/api/v4/projects/${projectId}/pipeline_schedules/${schedule.id}/variables/CONFIG`, { token: developer.token });
    expect(removed).toMatchObject({ status: 202, body: { key: 'CONFIG' } });
    expect(await http(server, 'GET', `/api/v4/projects/${projectId}/pipeline_schedules/${schedule.id}/variables/CONFIG`, { token: developer.token })).toMatchObject({
      status: 404,
      body: { message: '404 Pipeline Schedule Variable Not Found' },
    });
  });
});

describe('running schedules', () => {
  it('play creates a pipeline now, as the user who asked, with source schedule and the schedule\'s variables', async () => {
    const schedule = await api.PipelineSchedules.create(projectId, 'played', 'main', '0 0 1 1 *');
    await api.PipelineScheduleVariables.create(projectId, schedule.id, 'MODE', 'played');
    const played = await http(server, 'POST', `/api/v4/projects/${projectId}/pipeline_schedules/${schedule.id}/play`, { token: developer.token });
    expect(played).toMatchObject({ status: 201, body: { message: '201 Created' } });
    const shown = await api.PipelineSchedules.show(projectId, schedule.id);
    expect(shown.next_run_at).toBe(schedule.next_run_at);
    expect(shown.last_pipeline).toMatchObject({ source: 'schedule', ref: 'main' });
    const pipeline = await api.Pipelines.show(projectId, (shown.last_pipeline as { id: number }).id);
    expect(pipeline).toMatchObject({ source: 'schedule', user: { id: developer.id } });
    // The job whose rules want a scheduled pipeline is there.
    expect((await api.Jobs.all(projectId)).filter((job) => job.pipeline.id === pipeline.id).map((job) => job.name)).toEqual(['nightly']);
    expect(await api.Pipelines.allVariables(projectId, pipeline.id)).toEqual([{ variable_type: 'env_var', key: 'MODE', value: 'played', raw: false }]);
    // The schedule's pipelines, and the project's by source.
    expect((await api.PipelineSchedules.allTriggeredPipelines(projectId, schedule.id)).map((listed) => listed.id)).toEqual([pipeline.id]);
    expect((await api.Pipelines.all(projectId, { source: 'schedule' } as never)).map((listed) => listed.id)).toContain(pipeline.id);
    expect((await api.Pipelines.all(projectId, { source: 'trigger' } as never))).toEqual([]);
    expect(await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines?source=nope`, { token: server.root })).toMatchObject({ status: 400, body: { error: 'source does not have a valid value' } });
  });

  it('the periodic duties create exactly one pipeline per due run, even when two deliveries run at once, and move the next run on', async () => {
    const other = (await projectWithCi(server, 'every-minute', CI)).id;
    expect(await http(server, 'POST', `/api/v4/projects/${other}/members`, { token: server.root, json: { user_id: developer.id, access_level: 30 } })).toMatchObject({ status: 201 });
    const schedule = await client(server, developer.token).PipelineSchedules.create(other, 'every minute', 'main', '* * * * *');
    const due = Date.parse(schedule.next_run_at as string);
    expect(await api.Pipelines.all(other)).toEqual([]);
    // Before its time, nothing.
    await runDueSchedules(due - 1);
    expect(await api.Pipelines.all(other)).toEqual([]);
    const [a, b] = await Promise.all([runDueSchedules(due + 1), runDueSchedules(due + 1)]);
    expect(a.created + b.created).toBe(1);
    const pipelines = await api.Pipelines.all(other);
    expect(pipelines).toEqual([expect.objectContaining({ source: 'schedule', ref: 'main' })]);
    const after = await api.PipelineSchedules.show(other, schedule.id);
    expect(Date.parse(after.next_run_at as string)).toBe(due + 60_000);
    expect(after.last_pipeline).toMatchObject({ id: pipelines[0].id });
    // The duties list runs it too (through the registry every tick goes through).
    await runPeriodicDuties(new Date(due + 60_001)).catch(() => undefined);
    expect(await api.Pipelines.all(other)).toHaveLength(2);
    // An inactive schedule is not run.
    await client(server, developer.token).PipelineSchedules.edit(other, schedule.id, { active: false });
    await runDueSchedules(due + 10 * 60_000);
    expect(await api.Pipelines.all(other)).toHaveLength(2);
  });

  it('moves a schedule on when its pipeline cannot be created (an invalid CI file), creating nothing', async () => {
    const broken = (await projectWithCi(server, 'broken-schedule', 'job: { script: 1 }\n')).id;
    const schedule = await api.PipelineSchedules.create(broken, 'broken', 'main', '*/5 * * * *');
    const due = Date.parse(schedule.next_run_at as string);
    expect(await runDueSchedules(due + 1)).toEqual({ created: 0 });
    expect(await api.Pipelines.all(broken)).toEqual([]);
    const after = await api.PipelineSchedules.show(broken, schedule.id);
    expect(Date.parse(after.next_run_at as string)).toBe(due + 5 * 60_000);
    expect(after.last_pipeline).toBeNull();
  });
});
