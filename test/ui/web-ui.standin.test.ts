import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/local-stack';
import { haveChromium, SEEN, startWebUi, type WebUi } from '../support/web-ui';

/**
 * The web UI in headless Chromium against a local stack with its Nomad agent and GitLab shell
 * runner: what a user does through the pages, checked on what the pages show. Screenshots of the
 * main screens go to docs/screenshots/.
 */
let ui: WebUi | undefined;
let stack: LocalStack;
let page: WebUi['page'];
const shot = (name: string) => ui!.shot(name);
const signIn = (tokens: Parameters<WebUi['signIn']>[0]) => ui!.signIn(tokens);
const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => ui!.api(method, path, body, headers);

describe.skipIf(!haveChromium)('the web UI', () => {
  beforeAll(async () => {
    ui = await startWebUi({ agent: true, runner: true });
    ({ stack, page } = ui);
  }, 300_000);

  afterAll(() => ui?.stop(), 120_000);

  it('serves the app under /ui/ with a strict CSP, immutable assets and an uncached index', async () => {
    const index = await fetch(`${stack.url}/ui/nomad/jobs`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await index.text();
    const script = html.match(/src="(\/ui\/assets\/[^"]+\.js)"/)?.[1];
    const asset = await fetch(`${stack.url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${stack.url}/ui/assets/missing.js`)).status).toBe(404);
    // The API's own answers carry no UI headers.
    expect((await fetch(`${stack.url}/v1/jobs`)).headers.get('content-security-policy')).toBeNull();
  });

  it('says which token to sign in with when the API refuses the one given', async () => {
    await signIn({ gitlab: 'glpat-nobody-issued-this' });
    await page.getByRole('link', { name: 'Projects' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Not authorized' });
    await alert.waitFor(SEEN);
    expect(await alert.textContent()).toContain('401 (401 Unauthorized)');
    expect(await alert.textContent()).toContain('a GitLab personal access token');
    await shot('not-authorized');
  }, 300_000);

  it('signs in, runs a job and follows its allocation to running and its log line', async () => {
    await signIn({ nomad: stack.bootstrapToken });
    await page.getByTestId('jobs').waitFor(SEEN);

    await page.getByRole('link', { name: 'Run job' }).click();
    const job = {
      Job: {
        ID: 'greeter',
        Type: 'service',
        Datacenters: ['dc1'],
        TaskGroups: [
          {
            Name: 'web',
            Tasks: [
              {
                Name: 'greet',
                Driver: 'raw_exec',
                Config: { command: '/bin/sh', args: ['-c', 'echo "hello from $NOMAD_TASK_NAME"; exec sleep 600'] },
                Resources: { CPU: 100, MemoryMB: 64 },
              },
            ],
          },
        ],
      },
    };
    await page.locator('textarea[name=job]').fill(JSON.stringify(job, null, 2));
    await shot('nomad-run-job');
    await page.getByRole('button', { name: 'Run' }).click();

    await page.getByRole('heading', { name: 'Job greeter' }).waitFor(SEEN);
    const allocLink = page.getByTestId('allocations').getByRole('link').first();
    await allocLink.waitFor(SEEN);
    // The allocation's status changes on the job page through blocking queries, without a reload.
    await page.getByTestId('allocations').getByText('running').waitFor(SEEN);
    await shot('nomad-job');
    await allocLink.click();

    await page.getByTestId('alloc-status').getByText('running').waitFor(SEEN);
    await page.getByTestId('log').getByText('hello from greet').waitFor(SEEN);
    expect(await page.getByRole('table').first().textContent()).toBeTruthy();
    await shot('nomad-allocation');

    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByTestId('jobs').getByRole('link', { name: 'greeter' }).waitFor(SEEN);
    await page.locator('input[name=filter]').fill('Type == "batch"');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No jobs match the filter.').waitFor(SEEN);
    await page.locator('input[name=filter]').fill('Name == "greeter"');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByTestId('jobs').getByRole('link', { name: 'greeter' }).waitFor(SEEN);
    await shot('nomad-jobs');

    await page.getByRole('link', { name: 'Nodes' }).click();
    await page.getByTestId('nodes').getByText('ready').waitFor(SEEN);
    await shot('nomad-nodes');

    // Stop from the job page: the job is marked stopped and the allocation told to stop.
    await page.goto(`${stack.url}/ui/nomad/job/greeter?namespace=default`);
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByRole('button', { name: 'Start' }).waitFor(SEEN);
    expect((await api('GET', '/v1/job/greeter', undefined, { 'X-Nomad-Token': stack.bootstrapToken })).body.Stop).toBe(true);
  }, 300_000);

  it('runs a pipeline and shows its stages, its coloured, sectioned trace and its artifacts', async () => {
    const token = { 'PRIVATE-TOKEN': stack.bootstrapToken };
    const project = await api('POST', '/api/v4/projects', { name: 'demo' }, token);
    expect(project.status).toBe(201);
    const ci = [
      'stages: [build, test]',
      'build:',
      '  stage: build',
      '  script:',
      '    - printf "\\033[0Ksection_start:%s:compile[collapsed=false]\\r\\033[0KCompiling\\n" "$(date +%s)"',
      '    - printf "\\033[32mcompiled ok\\033[0m\\n"',
      '    - printf "\\033[0Ksection_end:%s:compile\\r\\033[0K\\n" "$(date +%s)"',
      '    - mkdir -p out/logs && echo "all green" > out/report.txt && echo detail > out/logs/build.log',
      '  artifacts:',
      '    paths: [out/]',
      'test:',
      '  stage: test',
      '  script:',
      '    - echo "all tests passed"',
      '',
    ].join('\n');
    const file = await api('POST', `/api/v4/projects/${project.body.id}/repository/files/.gitlab-ci.yml`, { branch: 'main', commit_message: 'ci [skip ci]', content: ci }, token);
    expect(file.status).toBe(201);

    await signIn({ gitlab: stack.bootstrapToken });
    await page.getByRole('link', { name: 'Projects' }).click();
    await page.getByTestId('projects').getByRole('link', { name: 'root/demo' }).click();
    await page.getByRole('button', { name: 'Run pipeline on main' }).click();

    const stages = page.getByTestId('stages');
    await stages.getByRole('heading', { name: 'build' }).waitFor(SEEN);
    await stages.getByRole('heading', { name: 'test' }).waitFor(SEEN);
    await page.getByRole('heading', { name: /^Pipeline #\d+$/ }).waitFor(SEEN);
    // The page follows the pipeline to its end.
    await page.locator('section').getByText('success').first().waitFor(SEEN);
    await stages.getByRole('link', { name: /success test/ }).waitFor(SEEN);
    await shot('gitlab-pipeline');

    await stages.getByRole('link', { name: /build/ }).click();
    const trace = page.getByTestId('trace');
    await trace.getByText('compiled ok', { exact: true }).waitFor(SEEN);
    await page.getByTestId('job-status').getByText('success').waitFor(SEEN);
    // The runner's colours arrive as ansi_up's classes, its sections as folds that collapse.
    expect(await trace.locator('.ansi-green-fg').getByText('compiled ok', { exact: true }).count()).toBe(1);
    const step = trace.locator('[data-section="compile"]');
    await step.getByText('compiled ok', { exact: true }).waitFor(SEEN);
    await shot('gitlab-job');
    await step.locator('.trace-header').first().click();
    await step.getByText('compiled ok', { exact: true }).waitFor({ state: 'detached', timeout: SEEN.timeout });
    await page.getByRole('button', { name: 'Retry' }).waitFor(SEEN);

    // The artifacts browser walks the archive's folders and downloads one file as it is.
    const artifacts = page.getByTestId('artifacts');
    await artifacts.getByRole('button', { name: /out/ }).click();
    await artifacts.getByRole('link', { name: 'report.txt' }).waitFor(SEEN);
    await artifacts.getByRole('button', { name: /logs/ }).waitFor(SEEN);
    await shot('gitlab-artifacts');
    const [download] = await Promise.all([page.waitForEvent('download'), artifacts.getByRole('link', { name: 'report.txt' }).click()]);
    expect(download.suggestedFilename()).toBe('report.txt');
    expect(readFileSync((await download.path())!, 'utf8')).toBe('all green\n');

    // Erase takes the log and the artifacts away.
    await page.getByRole('button', { name: 'Erase' }).click();
    await page.getByText(/^Erased .*: its log and artifacts are gone\.$/).waitFor(SEEN);
    expect(await page.getByTestId('artifacts').count()).toBe(0);
  }, 300_000);

  it('builds a CodeArts task and stops the running build', async () => {
    const created = await api(
      'POST',
      '/v3/jobs/create',
      {
        arch: 'x86-64',
        project_id: 'b4d3971c3988463b865f6f920846149e',
        job_name: 'long-build',
        steps: [{ module_id: 'devcloud2018.codeci_action_20017.action', name: 'Execute Shell Command', properties: { command: 'echo building; sleep 600' } }],
      },
      { 'X-Auth-Token': stack.bootstrapToken },
    );
    expect(created.status).toBe(200);
    const taskId: string = created.body.result.job_id;

    await signIn({ codearts: stack.bootstrapToken });
    await page.getByRole('link', { name: 'CodeArts' }).click();
    await page.locator('input[name=task]').fill(taskId);
    await page.getByRole('button', { name: 'Open task' }).click();
    const task = page.locator(`[data-task="${taskId}"]`);
    await task.getByRole('button', { name: 'Build' }).click();
    await task.getByText('RUNNING').waitFor(SEEN);
    await shot('codearts-builds');
    await task.getByRole('button', { name: 'Stop' }).click();
    await task.getByText('ABORTED').waitFor(SEEN);
    const history = await api('GET', `/v3/jobs/${taskId}/history?offset=0&limit=10&interval=7`, undefined, { 'X-Auth-Token': stack.bootstrapToken });
    expect(history.body.history_records.map((record: { result: string }) => record.result)).toEqual(['ABORTED']);
  }, 300_000);
});
