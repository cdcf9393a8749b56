import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, makeRunner, projectWithCi, requestJob, startGitLab, type GitLabServer } from '../../support/gitlab';

/**
 * What a careless or hostile client sends to `/api/v4`: strings far past GitLab's limits, paths
 * that try to leave their tree, invalid CI files, dates in the past. Every answer is GitLab's 4xx
 * in GitLab's words, and nothing is created.
 */
let server: GitLabServer;
let projectId: number;
let buildId: number;

const long = (length: number) => 'a'.repeat(length);
const TOO_LONG = 'is too long (maximum is 255 characters)';

/** A GET sent byte for byte (fetch would resolve `.` segments and turn `\` into `/` first). */
function rawGet(path: string, token: string): Promise<{ status: number; body: unknown }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const sent = request({ hostname, port, path, headers: { 'PRIVATE-TOKEN': token } }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body: text === '' ? '' : JSON.parse(text) }));
    });
    sent.on('error', reject);
    sent.end();
  });
}

const filesPath = (path: string) => `/api/v4/projects/${projectId}/repository/files/${path}`;
const writeFile = (path: string, fields: Record<string, unknown> = {}) =>
  http(server, 'POST', filesPath(path), { token: server.root, json: { branch: 'main', content: 'x', commit_message: 'add', ...fields } });
const createPipeline = (json: Record<string, unknown>) => http(server, 'POST', `/api/v4/projects/${projectId}/pipeline`, { token: server.root, json });

beforeAll(async () => {
  server = await startGitLab();
  projectId = (await projectWithCi(server, 'hostile', 'build:\n  script: echo built\n  artifacts: { paths: [out/] }\n')).id;
  const pipeline = await createPipeline({ ref: 'main' });
  expect(pipeline.status).toBe(201);
  buildId = (await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines/${pipeline.body.id}/jobs`, { token: server.root })).body[0].id;
});
afterAll(async () => server.stop());

describe('projects', () => {
  it('bounds the name, path and description as GitLab does', async () => {
    const named = await http(server, 'POST', '/api/v4/projects', { token: server.root, json: { name: long(10_000) } });
    expect(named.status).toBe(400);
    expect(named.body).toEqual({ message: { name: [TOO_LONG], path: [TOO_LONG] } });
    const described = await http(server, 'POST', '/api/v4/projects', { token: server.root, json: { name: 'described', description: long(2001) } });
    expect(described.body).toEqual({ message: { description: ['is too long (maximum is 2000 characters)'] } });
    expect((await http(server, 'POST', '/api/v4/projects', { token: server.root, json: { name: 'fits', description: long(2000) } })).status).toBe(201);
  });

  it("refuses names GitLab's pattern refuses, and a CI path outside the tree", async () => {
    const markup = await http(server, 'POST', '/api/v4/projects', { token: server.root, json: { name: '<script>', path: 'markup' } });
    expect(markup.body).toEqual({ message: { name: ["can contain only letters, digits, emoji, '_', '.', '+', dashes, or spaces. It must start with a letter, digit, emoji, or '_'."] } });
    const ci = await http(server, 'POST', '/api/v4/projects', { token: server.root, json: { name: 'ci', ci_config_path: '../other/.gitlab-ci.yml' } });
    expect(ci.body).toEqual({ message: { ci_config_path: ['cannot include leading slash or directory traversal.'] } });
    expect((await http(server, 'POST', '/api/v4/projects', { token: server.root, json: { name: 'Ünïcode ✨ + more' } })).status).toBe(201);
  });
});

describe('malformed strings', () => {
  // GitLab's HandleMalformedStrings middleware answers these before any endpoint, in plain text.
  const badRequest = (response: { status: number; text: string; headers: Headers }) => {
    expect(response.status).toBe(400);
    expect(response.text).toBe('Bad Request');
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  };

  it('refuses NUL and lone surrogates in JSON params, two levels deep', async () => {
    badRequest(await http(server, 'POST', '/api/v4/projects', { token: server.root, json: { name: 'a\u0000b' } }));
    badRequest(await http(server, 'POST', '/api/v4/users', { token: server.root, json: { username: 'x', name: 'x\ud800', email: 'x@example.com' } }));
    badRequest(await createPipeline({ ref: 'main', variables: [{ key: 'K', value: 'a\u0000' }] }));
    badRequest(await writeFile('nul.txt', { content: 'binary\u0000content' }));
    // Deeper than GitLab looks is the endpoint's business.
    expect((await http(server, 'POST', '/api/v4/jobs/request', { json: { token: 'glrt-unknown', info: { config: { deep: { value: 'a\u0000' } } } } })).status).toBe(403);
  });

  it('refuses them in the query, a form body and the path', async () => {
    badRequest(await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines?ref=a%00b`, { token: server.root }));
    badRequest(await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines?ref=%ff%fe`, { token: server.root }));
    badRequest(await http(server, 'POST', '/api/v4/projects', { token: server.root, body: 'name=a%00b', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }));
    badRequest(await http(server, 'GET', '/api/v4/projects/a%00b', { token: server.root }));
    badRequest(await http(server, 'GET', '/api/v4/projects/%ff', { token: server.root }));
  });

  it('lets binary content through base64', async () => {
    const written = await writeFile('binary.bin', { content: Buffer.from([0, 1, 2, 255]).toString('base64'), encoding: 'base64' });
    expect(written.status).toBe(201);
  });
});

describe('lookups and paging', () => {
  it('answers a project path longer than any project has as an unknown one', async () => {
    const response = await http(server, 'GET', `/api/v4/projects/${encodeURIComponent(`root/${long(3000)}`)}`, { token: server.root });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ message: '404 Project Not Found' });
  });

  it('clamps per_page beyond any integer to 100, as Ruby reads it', async () => {
    const response = await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines?per_page=99999999999999999999`, { token: server.root });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-per-page')).toBe('100');
  });
});

describe('users and tokens', () => {
  it('bounds the username and name', async () => {
    const user = await http(server, 'POST', '/api/v4/users', { token: server.root, json: { username: long(10_000), name: long(100_000), email: 'long@example.com' } });
    expect(user.status).toBe(400);
    expect(user.body).toEqual({ message: { name: [TOO_LONG], username: [TOO_LONG] } });
    const email = await http(server, 'POST', '/api/v4/users', { token: server.root, json: { username: 'mail', name: 'Mail', email: 'not an address' } });
    expect(email.body).toEqual({ message: { email: ['is invalid'] } });
  });

  it('refuses a token that expired before it was made', async () => {
    const past = await http(server, 'POST', '/api/v4/users/1/personal_access_tokens', { token: server.root, json: { name: 'old', scopes: ['api'], expires_at: '1999-12-31' } });
    expect(past.status).toBe(400);
    expect(past.body).toEqual({ message: 'Expiration date cannot be a date in the past' });
    const name = await http(server, 'POST', '/api/v4/users/1/personal_access_tokens', { token: server.root, json: { name: long(256), scopes: ['api'] } });
    expect(name.body).toEqual({ error: 'name is expected to have length less than or equal to 255' });
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect((await http(server, 'POST', '/api/v4/users/1/personal_access_tokens', { token: server.root, json: { name: 'new', scopes: ['api'], expires_at: tomorrow } })).status).toBe(201);
  });
});

describe('refs', () => {
  it('answers an impossible ref as a missing one', async () => {
    for (const ref of [long(10_000), 'a..b', `${'b'.repeat(200)}/${'c'.repeat(2000)}`]) {
      const pipeline = await createPipeline({ ref });
      expect(pipeline.status).toBe(400);
      expect(pipeline.body).toEqual({ message: { base: ['Reference not found'] } });
      const file = await http(server, 'GET', `${filesPath('.gitlab-ci.yml')}?ref=${encodeURIComponent(ref)}`, { token: server.root });
      expect(file.status).toBe(404);
      expect(file.body).toEqual({ message: '404 Commit Not Found' });
      expect((await http(server, 'GET', `${filesPath('.gitlab-ci.yml')}/raw?ref=${encodeURIComponent(ref)}`, { token: server.root })).status).toBe(404);
    }
  });

  it('refuses to create a branch git could not hold', async () => {
    for (const branch of [long(2000), 'bad..name', 'ends.lock']) {
      const written = await writeFile('new.txt', { branch, start_branch: 'main' });
      expect(written.status).toBe(400);
      expect(written.body).toEqual({ message: `Something went wrong when we tried to create '${branch}' for you: Branch name is invalid` });
    }
  });
});

describe('repository file paths', () => {
  it.each(['..%5Cx', '..%2Fx', 'a%2F..%2Fb', 'a%5C..%5Cb', '%252e%252e%252fx', 'a%2F.%2Fb', 'a%2F%2Fb', '.git%2Fconfig', 'a%5Cb', '%2Fetc%2Fpasswd', 'x%0Ay'])('refuses %s', async (path) => {
    const written = await writeFile(path);
    expect(written.status).toBe(400);
    expect(written.body).toEqual({ error: 'file_path should be a valid file path' });
    expect((await http(server, 'GET', `${filesPath(path)}?ref=main`, { token: server.root })).body).toEqual({ error: 'file_path should be a valid file path' });
  });

  it('keeps files named like object properties apart from the tree', async () => {
    for (const name of ['constructor', '__proto__', 'toString']) {
      expect((await writeFile(name, { content: `I am ${name}` })).status).toBe(201);
      const raw = await http(server, 'GET', `${filesPath(name)}/raw?ref=main`, { token: server.root });
      expect(raw.text).toBe(`I am ${name}`);
    }
    expect((await http(server, 'GET', `${filesPath('hasOwnProperty')}/raw?ref=main`, { token: server.root })).body).toEqual({ message: '404 File Not Found' });
  });

  it('bounds what a commit stores beside the file', async () => {
    const message = await writeFile('message.txt', { commit_message: long(65_537) });
    expect(message.body).toEqual({ error: 'commit_message is expected to have length less than or equal to 65536' });
  });
});

describe('invalid CI files', () => {
  const cases: [string, string, string][] = [
    ['a type error', 'build:\n  script: 5\n', 'jobs:build:script config should be a string or a nested array of strings up to 10 levels deep'],
    ['jobs that need each other', 'a: { script: x, needs: [b] }\nb: { script: x, needs: [a] }\n', 'The pipeline has circular dependencies'],
    ['a file that includes itself', 'include: .gitlab-ci.yml\njob: { script: x }\n', 'Maximum of 150 nested includes are allowed!'],
    ['a missing include', 'include: ci/nope.yml\njob: { script: x }\n', 'Local file `ci/nope.yml` does not exist!'],
    ['a trigger of a missing file', 'child: { trigger: { include: nope.yml } }\n', 'Local file `nope.yml` does not exist!'],
    ['YAML 10,000 levels deep', `job: { script: x, variables: { A: ${'['.repeat(10_000)}${']'.repeat(10_000)} } }\n`, 'The parsed YAML is too big'],
  ];

  it.each(cases)('refuses %s with GitLab’s message and creates nothing', async (_what, content, message) => {
    const branch = `ci-${Math.random().toString(36).slice(2)}`;
    const written = await http(server, 'PUT', filesPath('.gitlab-ci.yml'), { token: server.root, json: { branch, start_branch: 'main', content, commit_message: 'ci' } });
    expect(written.status).toBe(200);
    const before = (await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines`, { token: server.root })).body.length;
    const created = await createPipeline({ ref: branch });
    expect(created.status).toBe(400);
    expect(created.body).toEqual({ message: { base: [message] } });
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines`, { token: server.root })).body).toHaveLength(before);
  });

  it('refuses variables GitLab would not save', async () => {
    const key = await createPipeline({ ref: 'main', variables: [{ key: 'NOT A KEY', value: 'x' }] });
    expect(key.body).toEqual({ message: { base: ["Failed to persist the pipeline: Validation failed: Variables key can contain only letters, digits and '_'."] } });
    const value = await createPipeline({ ref: 'main', variables: [{ key: 'BIG', value: long(10_001) }] });
    expect(value.body).toEqual({ message: { base: ['Failed to persist the pipeline: Validation failed: Variables value is too long (maximum is 10000 characters)'] } });
  });
});

describe('artifact paths', () => {
  it.each(['..\\..\\etc\\passwd', './out/built.txt', 'out/./built.txt', 'out/../built.txt', 'out%5Cbuilt.txt'])('refuses %s with 400 Bad request', async (path) => {
    const response = await rawGet(`/api/v4/projects/${projectId}/jobs/${buildId}/artifacts/${path}`, server.root);
    expect(response).toEqual({ status: 400, body: { message: '400 Bad request' } });
  });

  it('looks a plain path up (404: this job kept no archive)', async () => {
    expect(await rawGet(`/api/v4/projects/${projectId}/jobs/${buildId}/artifacts/out/built.txt`, server.root)).toEqual({ status: 404, body: { message: '404 Not Found' } });
  });
});

describe('runners', () => {
  it('bounds the description and tags as Ci::Runner does', async () => {
    const created = await http(server, 'POST', '/api/v4/user/runners', { token: server.root, json: { runner_type: 'instance_type', description: long(1025) } });
    expect(created.status).toBe(400);
    expect(created.body).toEqual({ message: '400 Bad request - Description is too long (maximum is 1024 characters)' });
    const registration = await http(server, 'POST', `/api/v4/projects/${projectId}/runners/reset_registration_token`, { token: server.root });
    const registered = await http(server, 'POST', '/api/v4/runners', { json: { token: registration.body.token, tag_list: Array.from({ length: 51 }, (_, i) => `t${i}`) } });
    expect(registered.body).toEqual({ message: { tags_list: ['Too many tags specified. Please limit the number of tags to 50'] } });
  });

  it('appends a log part larger than one transaction holds', async () => {
    const runner = await makeRunner(server);
    const job = (await requestJob(server, runner.token)).body;
    const part = 'x'.repeat(5_000_000);
    const appended = await http(server, 'PATCH', `/api/v4/jobs/${job.id}/trace`, { body: part, headers: { 'JOB-TOKEN': job.token, 'Content-Range': `0-${part.length - 1}` } });
    expect(appended.status).toBe(202);
    expect(appended.headers.get('range')).toBe(`0-${part.length}`);
    const trace = await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/${job.id}/trace`, { token: server.root });
    expect(trace.text.length).toBe(part.length);
  });

  it('ignores a runner info too deep to keep', async () => {
    const runner = await makeRunner(server);
    let info: Record<string, unknown> = { name: 'gitlab-runner' };
    for (let i = 0; i < 40; i++) info = { nested: info };
    expect([201, 204]).toContain((await requestJob(server, runner.token, { info })).status);
  });
});
