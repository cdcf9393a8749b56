import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, SEEN, startWebUi, type WebUi } from '../support/web-ui';

/**
 * The Nomad operator's screens in headless Chromium against a local stack with its agent: scaling
 * a group, a version's diff and a revert, exec into a task, restarting it, the node's eligibility
 * and drain toggles, dispatch and periodic force, canary promotion, and a refused token; with ACLs
 * enforced. Each step is checked on the page and in the API.
 */
let ui: WebUi | undefined;
let token: string;
const nomad = (method: string, path: string, body?: unknown) => ui!.api(method, path, body, { 'X-Nomad-Token': token });
const visit = (path: string) => ui!.page.goto(`${ui!.stack.url}/ui${path}`);

function serviceJob(id: string) {
  return {
    Job: {
      ID: id,
      Type: 'service',
      Datacenters: ['dc1'],
      TaskGroups: [
        {
          Name: 'web',
          Count: 1,
          Tasks: [{ Name: 'serve', Driver: 'raw_exec', Config: { command: '/bin/sh', args: ['-c', 'echo up; exec sleep 600'] }, Resources: { CPU: 50, MemoryMB: 32 } }],
        },
      ],
    },
  };
}

describe.skipIf(!haveChromium)('the web UI for Nomad operations', () => {
  const aclBefore = process.env.ACL_ENABLED;
  beforeAll(async () => {
    // With ACLs enforced, as a deployment runs: every call carries the signed-in token.
    process.env.ACL_ENABLED = 'true';
    ui = await startWebUi({ agent: true });
    token = ui.stack.bootstrapToken;
    await ui.signIn({ nomad: token });
  }, 300_000);

  afterAll(async () => {
    await ui?.stop();
    if (aclBefore === undefined) delete process.env.ACL_ENABLED;
    else process.env.ACL_ENABLED = aclBefore;
  }, 120_000);

  it('scales a task group, shows the new version with its diff, and reverts to the first', async () => {
    const { page } = ui!;
    expect((await nomad('POST', '/v1/jobs', serviceJob('scaled'))).status).toBe(200);
    await visit('/nomad/job/scaled?namespace=default');
    await page.getByTestId('allocations').getByText('running').first().waitFor(SEEN);
    // Nomad refuses to scale while the job's deployment is active: its end shows on the page.
    await page.locator('[data-deployment]').getByText('successful', { exact: true }).waitFor(SEEN);

    const group = page.getByTestId('task-groups').locator('[data-group="web"]');
    await group.getByLabel('Count of web').fill('2');
    await group.getByRole('button', { name: 'Scale' }).click();
    await group.getByTestId('group-count').getByText('2', { exact: true }).waitFor(SEEN);
    expect((await nomad('GET', '/v1/job/scaled')).body.TaskGroups[0].Count).toBe(2);
    // The second allocation appears without a reload.
    await page.getByTestId('allocations').locator('tbody tr').nth(1).waitFor(SEEN);

    const versions = page.getByTestId('versions');
    await versions.locator('[data-version="1"]').waitFor(SEEN);
    await versions.locator('[data-version="1"]').getByRole('button', { name: 'Diff with v0' }).click();
    const diff = page.getByTestId('diff');
    await diff.getByText('Count').waitFor(SEEN);
    expect(await diff.textContent()).toMatch(/Count: "1" → "2"/);
    await ui!.shot('nomad-job-versions');

    await versions.locator('[data-version="0"]').getByRole('button', { name: 'Revert to v0' }).click();
    await page.getByTestId('job-version').getByText('2', { exact: true }).waitFor(SEEN);
    await group.getByTestId('group-count').getByText('1', { exact: true }).waitFor(SEEN);
    const job = (await nomad('GET', '/v1/job/scaled')).body;
    expect([job.Version, job.TaskGroups[0].Count]).toEqual([2, 1]);
  }, 300_000);

  it('opens a terminal in a running task, runs a command in it, restarts and signals the task and stops the allocation', async () => {
    const { page } = ui!;
    const allocs = (await nomad('GET', '/v1/job/scaled/allocations')).body as { ID: string; ClientStatus: string; DesiredStatus: string }[];
    const alloc = allocs.find((candidate) => candidate.ClientStatus === 'running' && candidate.DesiredStatus === 'run')!;
    await visit(`/nomad/allocation/${alloc.ID}`);
    await page.getByTestId('alloc-status').getByText('running').waitFor(SEEN);

    await page.getByRole('button', { name: 'Open terminal' }).click();
    await page.getByTestId('exec-state').getByText('connected').waitFor(SEEN);
    await page.getByTestId('terminal').click();
    await page.keyboard.type('echo "exec-$((6 * 7)) in $NOMAD_TASK_NAME"');
    await page.keyboard.press('Enter');
    // The shell's own echo of the line holds `$((6 * 7))`; only its output holds 42.
    await page.getByTestId('terminal').locator('.xterm-rows').getByText('exec-42 in serve').waitFor(SEEN);
    await ui!.shot('nomad-exec');
    await page.keyboard.type('exit 3');
    await page.keyboard.press('Enter');
    await page.getByTestId('terminal').getByText('[exited with code 3]').waitFor(SEEN);
    await page.getByRole('button', { name: 'Close' }).click();

    const task = page.locator('section').filter({ has: page.getByRole('heading', { name: 'Task serve' }) });
    await task.getByRole('button', { name: 'Restart', exact: true }).click();
    await page.getByTestId('task-serve').getByText('1 restart', { exact: false }).waitFor(SEEN);
    await task.getByText('Restart Signaled').first().waitFor(SEEN);
    expect((await nomad('GET', `/v1/allocation/${alloc.ID}`)).body.TaskStates.serve.Restarts).toBe(1);

    await task.getByLabel('Signal for serve').selectOption('SIGUSR1');
    await task.getByRole('button', { name: 'Send signal' }).click();
    await task.getByRole('cell', { name: 'Signaling', exact: true }).first().waitFor(SEEN);
    // As Nomad's client records `alloc signal`: the signal in the event's details.
    const events = (await nomad('GET', `/v1/allocation/${alloc.ID}`)).body.TaskStates.serve.Events as { Type: string; Details: Record<string, string> }[];
    expect(events.find((event) => event.Type === 'Signaling')?.Details.signal).toBe('SIGUSR1');

    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.getByTestId('alloc-status').getByText('complete').waitFor(SEEN);
    expect((await nomad('GET', `/v1/allocation/${alloc.ID}`)).body.DesiredStatus).toBe('stop');
  }, 300_000);

  it('promotes the canary of a new version, and the deployment completes', async () => {
    const { page } = ui!;
    const job = serviceJob('canaried');
    const update = { Canary: 1, MaxParallel: 1, MinHealthyTime: 1e9, HealthyDeadline: 60e9, ProgressDeadline: 120e9, HealthCheck: 'task_states' };
    const v0 = { Job: { ...job.Job, Update: update } };
    expect((await nomad('POST', '/v1/jobs', v0)).status).toBe(200);
    await visit('/nomad/job/canaried?namespace=default');
    await page.locator('[data-deployment]').getByText('successful', { exact: true }).waitFor(SEEN);

    const task = v0.Job.TaskGroups[0].Tasks[0];
    const v1 = { Job: { ...v0.Job, TaskGroups: [{ ...v0.Job.TaskGroups[0], Tasks: [{ ...task, Env: { RELEASE: '2' } }] }] } };
    expect((await nomad('POST', '/v1/jobs', v1)).status).toBe(200);
    const promote = page.getByRole('button', { name: 'Promote canaries' });
    await promote.waitFor(SEEN);
    // Nomad refuses to promote a canary before it is healthy; the page shows its count first.
    const latest = page.locator('[data-deployment]').first();
    await latest.getByTestId('healthy').getByText('1', { exact: true }).waitFor(SEEN);
    await promote.click();
    await latest.getByText('successful', { exact: true }).waitFor(SEEN);
    const deployment = (await nomad('GET', '/v1/job/canaried/deployment')).body;
    expect([deployment.JobVersion, deployment.Status, deployment.TaskGroups.web.Promoted]).toEqual([1, 'successful', true]);
  }, 300_000);

  it("toggles a node's eligibility and drain and lists its allocations", async () => {
    const { page, stack } = ui!;
    await visit(`/nomad/node/${stack.agentNodeId}`);
    await page.getByTestId('allocations').getByRole('link', { name: 'scaled' }).first().waitFor(SEEN);

    await page.getByRole('button', { name: 'Mark ineligible' }).click();
    await page.getByTestId('node-eligibility').getByText('ineligible').waitFor(SEEN);
    expect((await nomad('GET', `/v1/node/${stack.agentNodeId}`)).body.SchedulingEligibility).toBe('ineligible');
    await page.getByRole('button', { name: 'Mark eligible' }).click();
    await page.getByTestId('node-eligibility').getByText('eligible', { exact: true }).waitFor(SEEN);

    await page.locator('input[name=deadline]').fill('30m');
    await page.getByRole('button', { name: 'Drain', exact: true }).click();
    await page.getByRole('button', { name: 'Stop drain' }).waitFor(SEEN);
    const draining = (await nomad('GET', `/v1/node/${stack.agentNodeId}`)).body;
    expect([draining.DrainStrategy?.Deadline, draining.SchedulingEligibility]).toEqual([30 * 60e9, 'ineligible']);
    await ui!.shot('nomad-node');
    await page.getByRole('button', { name: 'Stop drain' }).click();
    await page.getByRole('button', { name: 'Drain', exact: true }).waitFor(SEEN);
    const after = (await nomad('GET', `/v1/node/${stack.agentNodeId}`)).body;
    expect([after.DrainStrategy, after.SchedulingEligibility]).toEqual([null, 'eligible']);
  }, 300_000);

  it('dispatches a parameterized job with its meta and payload, and forces a periodic launch', async () => {
    const { page } = ui!;
    const task = { Name: 'run', Driver: 'raw_exec', Config: { command: '/bin/true' }, Resources: { CPU: 50, MemoryMB: 32 } };
    const parameterized = { ID: 'report', Type: 'batch', Datacenters: ['dc1'], ParameterizedJob: { Payload: 'optional', MetaRequired: ['who'] }, TaskGroups: [{ Name: 'g', Tasks: [task] }] };
    expect((await nomad('POST', '/v1/jobs', { Job: parameterized })).status).toBe(200);
    await visit('/nomad/job/report?namespace=default');
    await page.getByRole('link', { name: 'Dispatch' }).click();
    await page.locator('input[name=meta-who]').fill('ops');
    await page.locator('textarea[name=payload]').fill('héllo');
    await page.getByRole('button', { name: 'Dispatch' }).click();
    await page.getByRole('heading', { name: /^Job report\/dispatch-/ }).waitFor(SEEN);
    const childId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const child = (await nomad('GET', `/v1/job/${encodeURIComponent(childId)}`)).body;
    expect([child.ParentID, child.Meta.who, Buffer.from(child.Payload, 'base64').toString()]).toEqual(['report', 'ops', 'héllo']);

    const periodic = { ID: 'nightly', Type: 'batch', Datacenters: ['dc1'], Periodic: { Enabled: true, Spec: '0 3 1 1 *' }, TaskGroups: [{ Name: 'g', Tasks: [task] }] };
    expect((await nomad('POST', '/v1/jobs', { Job: periodic })).status).toBe(200);
    await visit('/nomad/job/nightly?namespace=default');
    await page.getByText('None yet.').waitFor(SEEN);
    await page.getByRole('button', { name: 'Force launch' }).click();
    await page.getByTestId('children').getByRole('link', { name: /^nightly\/periodic-\d+$/ }).waitFor(SEEN);
  }, 300_000);

  it('says which token to sign in with where the API refuses the one given', async () => {
    const { page, stack } = ui!;
    await ui!.signIn({});
    await visit(`/nomad/node/${stack.agentNodeId}`);
    const alert = page.getByRole('alert').filter({ hasText: 'Not authorized' });
    await alert.waitFor(SEEN);
    expect(await alert.textContent()).toContain('a Nomad ACL token');
    await visit('/nomad/job/scaled?namespace=default');
    await page.getByRole('alert').filter({ hasText: 'Not authorized' }).waitFor(SEEN);
  }, 300_000);
});
