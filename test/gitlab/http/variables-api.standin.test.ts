import { Gitlab } from '@gitbeaker/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, http, makeRunner, makeUser, projectWithCi, requestJob, startGitLab, type GitLabServer } from '../../support/gitlab';

/** Project CI/CD variables through gitbeaker, and how they reach a job next to YAML and pipeline variables. */
let server: GitLabServer;
let api: InstanceType<typeof Gitlab>;
let projectId: number;

beforeAll(async () => {
  server = await startGitLab();
  api = client(server, server.root);
  projectId = (await projectWithCi(server, 'vars', 'variables:\n  FROM_YAML: yaml\n  OVERRIDDEN: yaml\nshow:\n  tags: [vars]\n  script: [env]\n')).id;
});
afterAll(async () => server.stop());

describe('/projects/:id/variables', () => {
  it('creates, shows, lists, changes and deletes variables', async () => {
    const created = await api.ProjectVariables.create(projectId, 'TOKEN', 'secret-1234', { masked: true, protected: true, description: 'the token' } as never);
    expect(created).toEqual({ variable_type: 'env_var', key: 'TOKEN', value: 'secret-1234', hidden: false, protected: true, masked: true, raw: false, environment_scope: '*', description: 'the token' });
    await api.ProjectVariables.create(projectId, 'CONFIG', 'a=1', { variableType: 'file', environmentScope: 'review/*' } as never);
    expect((await api.ProjectVariables.all(projectId)).map((variable) => variable.key)).toEqual(['TOKEN', 'CONFIG']);
    expect(await api.ProjectVariables.show(projectId, 'CONFIG')).toMatchObject({ variable_type: 'file', environment_scope: 'review/*' });
    const edited = await api.ProjectVariables.edit(projectId, 'CONFIG', 'a=2', { environmentScope: 'production' } as never);
    expect(edited).toMatchObject({ key: 'CONFIG', value: 'a=2', environment_scope: 'production', variable_type: 'file' });
    await api.ProjectVariables.remove(projectId, 'CONFIG');
    expect(await http(server, 'GET', `/api/v4/projects/${projectId}/variables/CONFIG`, { token: server.root })).toMatchObject({ status: 404, body: { message: '404 Variable Not Found' } });
  });

  it('keeps one key per environment scope and asks for the scope when several match', async () => {
    await api.ProjectVariables.create(projectId, 'DEPLOY_URL', 'https://star', {} as never);
    await api.ProjectVariables.create(projectId, 'DEPLOY_URL', 'https://review', { environmentScope: 'review/*' } as never);
    const taken = await http(server, 'POST', `/api/v4/projects/${projectId}/variables`, { token: server.root, json: { key: 'DEPLOY_URL', value: 'x' } });
    expect(taken).toMatchObject({ status: 400, body: { message: { key: ['(DEPLOY_URL) has already been taken'] } } });
    const ambiguous = await http(server, 'GET', `/api/v4/projects/${projectId}/variables/DEPLOY_URL`, { token: server.root });
    expect(ambiguous).toMatchObject({ status: 409, body: { message: "There are multiple variables with provided parameters. Please use 'filter[environment_scope]'" } });
    const scoped = await http(server, 'GET', `/api/v4/projects/${projectId}/variables/DEPLOY_URL?filter[environment_scope]=review/*`, { token: server.root });
    expect(scoped.body).toMatchObject({ value: 'https://review' });
    expect((await http(server, 'DELETE', `/api/v4/projects/${projectId}/variables/DEPLOY_URL?filter[environment_scope]=review/*`, { token: server.root })).status).toBe(204);
    expect((await api.ProjectVariables.show(projectId, 'DEPLOY_URL')).value).toBe('https://star');
  });

  it('validates as GitLab does, and hides masked_and_hidden values', async () => {
    const bad = await http(server, 'POST', `/api/v4/projects/${projectId}/variables`, { token: server.root, json: { key: 'BAD-KEY', value: 'short', masked: true } });
    expect(bad).toMatchObject({ status: 400, body: { message: { key: ["can contain only letters, digits and '_'."], value: ['is invalid'] } } });
    const missing = await http(server, 'POST', `/api/v4/projects/${projectId}/variables`, { token: server.root, json: { key: 'X' } });
    expect(missing).toMatchObject({ status: 400, body: { error: 'value is missing' } });
    // `$` and `!` may be masked only in a raw value.
    const expanded = await http(server, 'POST', `/api/v4/projects/${projectId}/variables`, { token: server.root, json: { key: 'RAW_SECRET', value: 'pa$$-word!!', masked: true } });
    expect(expanded).toMatchObject({ status: 400, body: { message: { value: ['is invalid'] } } });
    const rawMasked = await api.ProjectVariables.create(projectId, 'RAW_SECRET', 'pa$$-word!!', { masked: true, raw: true } as never);
    expect(rawMasked).toMatchObject({ masked: true, raw: true });
    const hidden = await http(server, 'POST', `/api/v4/projects/${projectId}/variables`, { token: server.root, json: { key: 'HIDDEN', value: 'hidden-value-1', masked_and_hidden: true } });
    expect(hidden.body).toMatchObject({ key: 'HIDDEN', value: null, hidden: true, masked: true });
    expect((await api.ProjectVariables.show(projectId, 'HIDDEN')).value).toBeNull();
    const developer = await makeUser(server, 'developer');
    await api.ProjectMembers.add(projectId, 30, { userId: developer.id });
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/variables`, { token: developer.token })).status).toBe(403);
  });
});

describe('/admin/ci/variables', () => {
  it('keeps instance variables for administrators, without environment scopes', async () => {
    const created = await api.InstanceLevelCICDVariables.create('INSTANCE_ONLY', 'instance', { protected: false } as never);
    expect(created).toEqual({ variable_type: 'env_var', key: 'INSTANCE_ONLY', value: 'instance', hidden: false, protected: false, masked: false, raw: false, description: null });
    await api.InstanceLevelCICDVariables.create('OVERRIDDEN', 'instance', {} as never);
    await api.InstanceLevelCICDVariables.create('GONE', 'x', {} as never);
    expect((await api.InstanceLevelCICDVariables.edit('GONE', 'y', {} as never)).value).toBe('y');
    // gitbeaker's InstanceLevelCICDVariables.remove sends a GET, so the DELETE goes out by hand.
    expect((await http(server, 'DELETE', '/api/v4/admin/ci/variables/GONE', { token: server.root })).status).toBe(204);
    expect((await api.InstanceLevelCICDVariables.all()).map((variable) => variable.key)).toEqual(['INSTANCE_ONLY', 'OVERRIDDEN']);
    expect(await http(server, 'GET', '/api/v4/admin/ci/variables/GONE', { token: server.root })).toMatchObject({ status: 404, body: { message: '404 Variable Not Found' } });
    const again = await http(server, 'POST', '/api/v4/admin/ci/variables', { token: server.root, json: { key: 'OVERRIDDEN', value: 'z' } });
    expect(again).toMatchObject({ status: 400, body: { message: { key: ['(OVERRIDDEN) has already been taken'] } } });
    const user = await makeUser(server, 'plain');
    expect((await http(server, 'GET', '/api/v4/admin/ci/variables', { token: user.token })).status).toBe(403);
  });
});

describe('variables in jobs', () => {
  it('reach the job after the YAML’s and before the pipeline’s, masked as asked, protected ones only on protected refs', async () => {
    await api.ProjectVariables.create(projectId, 'OVERRIDDEN', 'project', {} as never);
    await api.ProjectVariables.create(projectId, 'PIPELINE_WINS', 'project', {} as never);
    await api.ProjectVariables.create(projectId, 'CERT', 'cert-body', { variableType: 'file' } as never);
    await api.ProjectVariables.create(projectId, 'ONLY_REVIEW', 'review', { environmentScope: 'review/*' } as never);
    const runner = await makeRunner(server, { tags: ['vars'], runUntagged: false });
    await api.Pipelines.create(projectId, 'main', { variables: [{ key: 'PIPELINE_WINS', value: 'pipeline' }] } as never);
    const job = await requestJob(server, runner.token);
    expect(job.status).toBe(201);
    const variables = job.body.variables as { key: string; value: string; masked: boolean; file?: boolean }[];
    const last = (key: string) => variables.filter((variable) => variable.key === key).at(-1);
    expect(last('FROM_YAML')?.value).toBe('yaml');
    expect(last('INSTANCE_ONLY')?.value).toBe('instance');
    // The project's variable beats the instance's of the same key.
    expect(last('OVERRIDDEN')?.value).toBe('project');
    expect(last('PIPELINE_WINS')?.value).toBe('pipeline');
    expect(last('TOKEN')).toMatchObject({ value: 'secret-1234', masked: true });
    expect(last('CERT')).toMatchObject({ value: 'cert-body', file: true });
    expect(last('ONLY_REVIEW')).toBeUndefined();

    await http(server, 'POST', `/api/v4/projects/${projectId}/repository/files/other.txt`, { token: server.root, json: { branch: 'feature', start_branch: 'main', content: 'x', commit_message: 'feature [skip ci]' } });
    await api.Pipelines.create(projectId, 'feature');
    const unprotected = await requestJob(server, runner.token);
    expect(unprotected.status).toBe(201);
    expect((unprotected.body.variables as { key: string }[]).some((variable) => variable.key === 'TOKEN')).toBe(false);
  });
});
