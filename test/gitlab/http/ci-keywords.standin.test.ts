import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishJob, http, makeRunner, projectWithCi, requestJob, startGitLab, type GitLabServer } from '../../support/gitlab';

/**
 * The keywords that change how jobs run, end to end against the local stand-ins: resource groups
 * (one job at a time per group, across pipelines), parallel jobs and their CI_NODE_* variables,
 * environments and deployments.
 */
let server: GitLabServer;
let runner: { id: number; token: string };

beforeAll(async () => {
  server = await startGitLab();
  runner = await makeRunner(server);
});
afterAll(async () => server.stop());

const api = (path: string) => `/api/v4${path}`;

async function jobsOf(projectId: number, pipelineId: number): Promise<Record<string, string>> {
  const jobs = await http(server, 'GET', api(`/projects/${projectId}/pipelines/${pipelineId}/jobs?per_page=100`), { token: server.root });
  return Object.fromEntries((jobs.body as { name: string; status: string }[]).map((job) => [job.name, job.status]));
}

async function take(): Promise<{ id: number; token: string; name: string; variables: { key: string; value: string }[] }> {
  const response = await requestJob(server, runner.token);
  expect(response.status).toBe(201);
  return { id: response.body.id, token: response.body.token, name: response.body.job_info.name, variables: response.body.variables };
}

describe('resource_group', () => {
  const CI = `
deploy:
  script: [./deploy.sh]
  resource_group: production
`;
  let projectId: number;

  it('runs one job of a group at a time, across pipelines, in the order they waited', async () => {
    projectId = (await projectWithCi(server, 'deployer', CI)).id;
    const first = await http(server, 'POST', api(`/projects/${projectId}/pipeline?ref=main`), { token: server.root });
    const second = await http(server, 'POST', api(`/projects/${projectId}/pipeline?ref=main`), { token: server.root });
    expect(first.status).toBe(201);
    expect(await jobsOf(projectId, first.body.id)).toEqual({ deploy: 'pending' });
    expect(await jobsOf(projectId, second.body.id)).toEqual({ deploy: 'waiting_for_resource' });
    expect((await http(server, 'GET', api(`/projects/${projectId}/pipelines/${second.body.id}`), { token: server.root })).body.status).toBe('waiting_for_resource');

    const running = await take();
    expect((await requestJob(server, runner.token)).status).toBe(204);
    const upcoming = await http(server, 'GET', api(`/projects/${projectId}/resource_groups/production/upcoming_jobs`), { token: server.root });
    expect(upcoming.body.map((job: { pipeline: { id: number } }) => job.pipeline.id)).toEqual([second.body.id]);

    expect((await finishJob(server, running.id, running.token, 'success')).status).toBe(200);
    expect(await jobsOf(projectId, second.body.id)).toEqual({ deploy: 'pending' });
    const next = await take();
    expect(next.name).toBe('deploy');
    await finishJob(server, next.id, next.token, 'failed');
    expect(await jobsOf(projectId, second.body.id)).toEqual({ deploy: 'failed' });
  });

  it('lists the group and changes its process mode', async () => {
    const groups = await http(server, 'GET', api(`/projects/${projectId}/resource_groups`), { token: server.root });
    expect(groups.body).toEqual([{ id: expect.any(Number), key: 'production', process_mode: 'unordered', created_at: expect.any(String), updated_at: expect.any(String) }]);
    const changed = await http(server, 'PUT', api(`/projects/${projectId}/resource_groups/production`), { token: server.root, json: { process_mode: 'newest_first' } });
    expect(changed.body.process_mode).toBe('newest_first');
    const invalid = await http(server, 'PUT', api(`/projects/${projectId}/resource_groups/production`), { token: server.root, json: { process_mode: 'random' } });
    expect(invalid.status).toBe(400);
    expect((await http(server, 'GET', api(`/projects/${projectId}/resource_groups/nope`), { token: server.root })).status).toBe(404);
  });

  it('hands the resource to the newest pipeline first in newest_first mode', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await http(server, 'POST', api(`/projects/${projectId}/pipeline?ref=main`), { token: server.root })).body.id);
    const holder = await take();
    expect(await jobsOf(projectId, ids[0])).toEqual({ deploy: 'running' });
    await finishJob(server, holder.id, holder.token, 'success');
    expect(await jobsOf(projectId, ids[2])).toEqual({ deploy: 'pending' });
    expect(await jobsOf(projectId, ids[1])).toEqual({ deploy: 'waiting_for_resource' });
    const cancel = await http(server, 'POST', api(`/projects/${projectId}/pipelines/${ids[1]}/cancel`), { token: server.root });
    expect(cancel.status).toBe(200);
    const last = await take();
    await finishJob(server, last.id, last.token, 'success');
    expect((await requestJob(server, runner.token)).status).toBe(204);
  });
});

describe('parallel jobs, environments and dotenv variables', () => {
  const CI = `
stages: [build, test, deploy]
build:
  stage: build
  script: [./build.sh]
  artifacts:
    reports:
      dotenv: build.env
test:
  stage: test
  parallel:
    matrix:
      - SUITE: [unit, e2e]
  script: [./test.sh]
deploy:
  stage: deploy
  script: [./deploy.sh]
  environment:
    name: review/$CI_COMMIT_REF_NAME
    url: https://$CI_COMMIT_REF_SLUG.example.com
    on_stop: stop
stop:
  stage: deploy
  script: [./stop.sh]
  when: manual
  environment:
    name: review/$CI_COMMIT_REF_NAME
    action: stop
`;
  let projectId: number;
  let pipelineId: number;

  it('hands matrix jobs their values and CI_NODE_*, and later jobs the dotenv of earlier ones', async () => {
    projectId = (await projectWithCi(server, 'envs', CI)).id;
    const pipeline = await http(server, 'POST', api(`/projects/${projectId}/pipeline?ref=main`), { token: server.root });
    pipelineId = pipeline.body.id;
    expect(Object.keys(await jobsOf(projectId, pipelineId)).sort()).toEqual(['build', 'deploy', 'stop', 'test: [e2e]', 'test: [unit]']);

    const build = await take();
    expect(build.name).toBe('build');
    const { uploadViaAuthorize } = await import('../artifacts/helpers');
    const { gzipSync } = await import('node:zlib');
    const upload = await uploadViaAuthorize(server, { id: build.id, token: build.token } as never, gzipSync('BUILD_VERSION=1.2.3\nIMAGE="registry/app:1.2.3"\n'), 'artifact_type=dotenv&artifact_format=gzip');
    expect(upload.status).toBe(201);
    await finishJob(server, build.id, build.token, 'success');

    const seen: Record<string, Record<string, string>> = {};
    for (let i = 0; i < 2; i++) {
      const job = await take();
      seen[job.name] = Object.fromEntries(job.variables.map((variable) => [variable.key, variable.value]));
      await finishJob(server, job.id, job.token, 'success');
    }
    expect(seen['test: [unit]']).toMatchObject({ SUITE: 'unit', CI_NODE_INDEX: '1', CI_NODE_TOTAL: '2', BUILD_VERSION: '1.2.3', IMAGE: 'registry/app:1.2.3' });
    expect(seen['test: [e2e]']).toMatchObject({ SUITE: 'e2e', CI_NODE_INDEX: '2', CI_NODE_TOTAL: '2' });

    const deploy = await take();
    const variables = Object.fromEntries(deploy.variables.map((variable) => [variable.key, variable.value]));
    expect(variables).toMatchObject({
      CI_ENVIRONMENT_NAME: 'review/main',
      CI_ENVIRONMENT_SLUG: expect.stringMatching(/^review-main-[a-z0-9]{6}$/),
      CI_ENVIRONMENT_URL: 'https://main.example.com',
      CI_ENVIRONMENT_ACTION: 'start',
      CI_ENVIRONMENT_TIER: 'development',
      BUILD_VERSION: '1.2.3',
    });
    await finishJob(server, deploy.id, deploy.token, 'success');
  });

  it('lists the environment and its deployment, and stops it with its stop job', async () => {
    const environments = await http(server, 'GET', api(`/projects/${projectId}/environments`), { token: server.root });
    expect(environments.status).toBe(200);
    expect(environments.headers.get('x-total')).toBe('1');
    expect(environments.body).toEqual([
      expect.objectContaining({ name: 'review/main', slug: expect.stringMatching(/^review-main-/), external_url: 'https://main.example.com', state: 'available', tier: 'development' }),
    ]);
    const deployments = await http(server, 'GET', api(`/projects/${projectId}/deployments?environment=review/main`), { token: server.root });
    expect(deployments.body).toEqual([
      expect.objectContaining({ iid: 1, ref: 'main', status: 'success', environment: expect.objectContaining({ name: 'review/main' }), deployable: expect.objectContaining({ name: 'deploy', status: 'success' }), user: expect.objectContaining({ username: 'root' }) }),
    ]);
    const one = await http(server, 'GET', api(`/projects/${projectId}/environments/${environments.body[0].id}`), { token: server.root });
    expect(one.body.last_deployment).toMatchObject({ id: deployments.body[0].id, status: 'success' });
    expect((await http(server, 'GET', api(`/projects/${projectId}/deployments/${deployments.body[0].id}`), { token: server.root })).body.sha).toBe(deployments.body[0].sha);
    expect((await http(server, 'GET', api(`/projects/${projectId}/deployments?status=failed`), { token: server.root })).body).toEqual([]);

    const jobs = await http(server, 'GET', api(`/projects/${projectId}/pipelines/${pipelineId}/jobs?scope[]=manual`), { token: server.root });
    const stopJob = jobs.body.find((job: { name: string }) => job.name === 'stop');
    expect((await http(server, 'POST', api(`/projects/${projectId}/jobs/${stopJob.id}/play`), { token: server.root })).status).toBe(200);
    const stop = await take();
    await finishJob(server, stop.id, stop.token, 'success');
    const stopped = await http(server, 'GET', api(`/projects/${projectId}/environments?states=stopped`), { token: server.root });
    expect(stopped.body.map((environment: { name: string }) => environment.name)).toEqual(['review/main']);
    expect((await http(server, 'GET', api(`/projects/${projectId}/environments/999999`), { token: server.root })).status).toBe(404);
  });

  it('creates environments through the API and stops one without a stop job', async () => {
    const created = await http(server, 'POST', api(`/projects/${projectId}/environments`), { token: server.root, json: { name: 'qa', external_url: 'https://qa.example.com' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'qa', slug: 'qa', external_url: 'https://qa.example.com', state: 'available', tier: 'testing' });
    const taken = await http(server, 'POST', api(`/projects/${projectId}/environments`), { token: server.root, json: { name: 'qa' } });
    expect([taken.status, taken.body]).toEqual([400, { message: { name: ['has already been taken'] } }]);
    const invalid = await http(server, 'POST', api(`/projects/${projectId}/environments`), { token: server.root, json: { name: '/qa/' } });
    expect(invalid.status).toBe(400);
    const available = await http(server, 'DELETE', api(`/projects/${projectId}/environments/${created.body.id}`), { token: server.root });
    expect([available.status, available.body]).toEqual([403, { message: '403 Forbidden' }]);
    const stopped = await http(server, 'POST', api(`/projects/${projectId}/environments/${created.body.id}/stop`), { token: server.root });
    expect([stopped.status, stopped.body.state]).toEqual([200, 'stopped']);
    expect((await http(server, 'DELETE', api(`/projects/${projectId}/environments/${created.body.id}`), { token: server.root })).status).toBe(204);
    expect((await http(server, 'GET', api(`/projects/${projectId}/environments/${created.body.id}`), { token: server.root })).status).toBe(404);
  });
});

describe('interruptible and workflow:auto_cancel', () => {
  async function commit(projectId: number, content: string): Promise<void> {
    const response = await http(server, 'PUT', api(`/projects/${projectId}/repository/files/.gitlab-ci.yml`), { token: server.root, json: { branch: 'main', content, commit_message: 'change [skip ci]' } });
    expect(response.status).toBe(200);
  }
  async function pipeline(projectId: number): Promise<number> {
    const created = await http(server, 'POST', api(`/projects/${projectId}/pipeline?ref=main`), { token: server.root });
    expect(created.status, created.text).toBe(201);
    return created.body.id;
  }
  async function drain(): Promise<void> {
    for (let response = await requestJob(server, runner.token); response.status === 201; response = await requestJob(server, runner.token)) {
      await finishJob(server, response.body.id, response.body.token, 'success');
    }
  }

  it('cancels an older pipeline of the branch whose started jobs are all interruptible', async () => {
    const CI = 'default: { interruptible: true }\nbuild: { stage: build, script: x }\ntest: { stage: test, script: make }\n';
    const projectId = (await projectWithCi(server, 'interruptible', CI)).id;
    const first = await pipeline(projectId);
    const running = await take();
    expect(running.name).toBe('build');
    // The same commit again is not redundant.
    const same = await pipeline(projectId);
    expect(await jobsOf(projectId, first)).toEqual({ build: 'running', test: 'created' });
    await commit(projectId, `${CI}# another commit\n`);
    await pipeline(projectId);
    expect(await jobsOf(projectId, first)).toEqual({ build: 'canceled', test: 'canceled' });
    expect((await http(server, 'GET', api(`/projects/${projectId}/pipelines/${first}`), { token: server.root })).body.status).toBe('canceled');
    expect((await http(server, 'GET', api(`/projects/${projectId}/pipelines/${same}`), { token: server.root })).body.status).toBe('canceled');
    await drain();
  });

  it('keeps a pipeline whose non-interruptible job started (conservative), and cancels only interruptible jobs when told', async () => {
    const CI = 'build: { stage: build, script: x }\ntest: { stage: test, script: make }\n';
    const projectId = (await projectWithCi(server, 'conservative', CI)).id;
    const first = await pipeline(projectId);
    await take();
    await commit(projectId, `${CI}# 2\n`);
    await pipeline(projectId);
    expect(await jobsOf(projectId, first)).toEqual({ build: 'running', test: 'created' });
    await drain();

    const mixed = 'workflow: { auto_cancel: { on_new_commit: interruptible } }\nlint: { stage: build, script: x, interruptible: true }\ndeploy: { stage: build, script: make }\n';
    await commit(projectId, mixed);
    const third = await pipeline(projectId);
    await take();
    await commit(projectId, `${mixed}# 4\n`);
    await pipeline(projectId);
    const statuses = await jobsOf(projectId, third);
    expect(statuses.lint).toBe('canceled');
    expect(statuses.deploy).not.toBe('canceled');
    await drain();
  });
});

describe('workflow:auto_cancel:on_job_failure', () => {
  it('cancels the rest of the pipeline once a job fails', async () => {
    const CI = 'workflow: { auto_cancel: { on_job_failure: all } }\na: { stage: build, script: x }\nb: { stage: build, script: x }\nlater: { stage: test, script: x }\nship: { stage: deploy, script: x, when: manual }\n';
    const projectId = (await projectWithCi(server, 'fail-fast', CI)).id;
    const pipeline = await http(server, 'POST', api(`/projects/${projectId}/pipeline?ref=main`), { token: server.root });
    const first = await take();
    await finishJob(server, first.id, first.token, 'failed');
    const other = first.name === 'a' ? 'b' : 'a';
    expect(await jobsOf(projectId, pipeline.body.id)).toEqual({ [first.name]: 'failed', [other]: 'canceled', later: 'canceled', ship: 'canceled' });
    expect((await requestJob(server, runner.token)).status).toBe(204);
  });
});

describe('generated child pipelines and cross-pipeline needs', () => {
  it('runs a child pipeline from a job artifact, whose job takes the parent job artifacts (needs:pipeline)', async () => {
    const CI = `
generate:
  stage: build
  script: [./generate.sh]
  artifacts: { paths: [child.yml] }
child:
  stage: test
  variables: { PARENT_PIPELINE_ID: $CI_PIPELINE_ID }
  trigger:
    include:
      - artifact: child.yml
        job: generate
    strategy: depend
`;
    const projectId = (await projectWithCi(server, 'generated', CI)).id;
    const parent = await http(server, 'POST', api(`/projects/${projectId}/pipeline?ref=main`), { token: server.root });
    const generate = await take();
    const { makeZip, uploadViaAuthorize } = await import('../artifacts/helpers');
    const zip = await makeZip({ 'child.yml': 'use:\n  script: [./use.sh]\n  needs:\n    - pipeline: $PARENT_PIPELINE_ID\n      job: generate\n' });
    expect((await uploadViaAuthorize(server, { id: generate.id, token: generate.token } as never, zip)).status).toBe(201);
    await finishJob(server, generate.id, generate.token, 'success');

    const use = await requestJob(server, runner.token);
    expect(use.status).toBe(201);
    expect(use.body.job_info.name).toBe('use');
    expect(use.body.dependencies.map((dependency: { id: number }) => dependency.id)).toEqual([generate.id]);
    expect(use.body.variables).toContainEqual(expect.objectContaining({ key: 'PARENT_PIPELINE_ID', value: String(parent.body.id) }));
    const download = await fetch(`${server.url}/api/v4/jobs/${generate.id}/artifacts`, { headers: { 'JOB-TOKEN': use.body.token }, redirect: 'manual' });
    expect(download.status).toBe(302);
    await finishJob(server, use.body.id, use.body.token, 'success');
    expect((await http(server, 'GET', api(`/projects/${projectId}/pipelines/${parent.body.id}`), { token: server.root })).body.status).toBe('success');
  });

  it('takes another project artifacts through needs:project, and its files through include:project', async () => {
    const library = (await projectWithCi(server, 'library', 'build:\n  script: [make]\n  artifacts: { paths: [lib.so] }\n')).id;
    await http(server, 'POST', api(`/projects/${library}/repository/files/ci%2Fshared.yml`), {
      token: server.root,
      json: { branch: 'main', content: 'spec:\n  inputs:\n    target: { default: all }\n---\nshared:\n  script:\n    - make $[[ inputs.target ]]\n', commit_message: 'shared [skip ci]' },
    });
    const built = await http(server, 'POST', api(`/projects/${library}/pipeline?ref=main`), { token: server.root });
    const build = await take();
    const { makeZip, uploadViaAuthorize } = await import('../artifacts/helpers');
    await uploadViaAuthorize(server, { id: build.id, token: build.token } as never, await makeZip({ 'lib.so': 'binary' }));
    await finishJob(server, build.id, build.token, 'success');
    expect((await http(server, 'GET', api(`/projects/${library}/pipelines/${built.body.id}`), { token: server.root })).body.status).toBe('success');

    const app = (
      await projectWithCi(
        server,
        'app',
        'include:\n  - project: root/library\n    file: ci/shared.yml\n    inputs: { target: install }\nlink:\n  stage: test\n  script: [ld]\n  needs:\n    - project: root/library\n      job: build\n      ref: main\n      artifacts: true\n',
      )
    ).id;
    const appPipeline = await http(server, 'POST', api(`/projects/${app}/pipeline?ref=main`), { token: server.root });
    expect(appPipeline.status, appPipeline.text).toBe(201);
    const seen: Record<string, { dependencies: { id: number }[]; steps: { script: string[] }[]; token: string; id: number }> = {};
    for (let i = 0; i < 2; i++) {
      const response = await requestJob(server, runner.token);
      seen[response.body.job_info.name] = response.body;
    }
    expect(seen.shared.steps[0].script).toEqual(['make install']);
    expect(seen.link.dependencies.map((dependency) => dependency.id)).toEqual([build.id]);
    const download = await fetch(`${server.url}/api/v4/jobs/${build.id}/artifacts`, { headers: { 'JOB-TOKEN': seen.link.token }, redirect: 'manual' });
    expect(download.status).toBe(302);
    const stranger = await fetch(`${server.url}/api/v4/jobs/${build.id}/artifacts`, { headers: { 'JOB-TOKEN': seen.shared.token }, redirect: 'manual' });
    expect(stranger.status).toBe(403);
    for (const job of Object.values(seen)) await finishJob(server, job.id, job.token, 'success');
  });
});

describe('id_tokens', () => {
  it('hands the job signed ID tokens that the discovery keys verify', async () => {
    const { createPublicKey, verify } = await import('node:crypto');
    const CI = 'sign:\n  id_tokens:\n    SIGSTORE_ID_TOKEN: { aud: sigstore }\n    VAULT_ID_TOKEN: { aud: [$CI_SERVER_URL, vault] }\n  script: [./sign.sh]\n';
    const projectId = (await projectWithCi(server, 'signer', CI)).id;
    await http(server, 'POST', api(`/projects/${projectId}/pipeline?ref=main`), { token: server.root });
    const job = await take();
    const tokens = Object.fromEntries(job.variables.filter((variable) => variable.key.endsWith('_ID_TOKEN')).map((variable) => [variable.key, variable.value]));
    expect(Object.keys(tokens).sort()).toEqual(['SIGSTORE_ID_TOKEN', 'VAULT_ID_TOKEN']);

    const configuration = await http(server, 'GET', '/.well-known/openid-configuration');
    expect(configuration.body).toMatchObject({ issuer: server.url, jwks_uri: `${server.url}/oauth/discovery/keys`, id_token_signing_alg_values_supported: ['RS256'] });
    const { keys } = (await http(server, 'GET', '/oauth/discovery/keys')).body;
    const [header, payload, signature] = tokens.VAULT_ID_TOKEN.split('.');
    const decodedHeader = JSON.parse(Buffer.from(header, 'base64url').toString());
    const jwk = keys.find((key: { kid: string }) => key.kid === decodedHeader.kid);
    expect(decodedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(signature, 'base64url'))).toBe(true);
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    expect(claims).toMatchObject({
      iss: server.url,
      aud: [server.url, 'vault'],
      sub: 'project_path:root/signer:ref_type:branch:ref:main',
      project_path: 'root/signer',
      ref: 'main',
      ref_type: 'branch',
      job_id: String(job.id),
      user_login: 'root',
    });
    expect(claims.exp - claims.iat).toBe(3600);
    await finishJob(server, job.id, job.token, 'success');
  });
});

describe('resource_group on a trigger job', () => {
  it('starts the bridge once it has the resource', async () => {
    const projectId = (await projectWithCi(server, 'bridge-group', 'child:\n  resource_group: downstream\n  trigger:\n    include: child.yml\n')).id;
    await http(server, 'POST', api(`/projects/${projectId}/repository/files/child.yml`), { token: server.root, json: { branch: 'main', content: 'inner: { script: [make] }\n', commit_message: 'child [skip ci]' } });
    const pipeline = await http(server, 'POST', api(`/projects/${projectId}/pipeline?ref=main`), { token: server.root });
    const bridges = await http(server, 'GET', api(`/projects/${projectId}/pipelines/${pipeline.body.id}/bridges`), { token: server.root });
    expect(bridges.body[0]).toMatchObject({ name: 'child', status: 'success', downstream_pipeline: expect.objectContaining({ status: 'pending' }) });
    const inner = await take();
    expect(inner.name).toBe('inner');
    await finishJob(server, inner.id, inner.token, 'success');
  });
});
