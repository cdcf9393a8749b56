import { beforeAll, describe, expect, it } from 'vitest';
import { runPeriodicDuties } from '../../../shared/duties/duties';
import { useFreshResources } from '../../support/resources';
import { api, batchJob, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';
import { aclForThisFile } from '../../support/nomad-acl';

const { root } = aclForThisFile();
const call = (method: string, path: string, body?: unknown) => api(method, path, body, root);

beforeAll(async () => {
  await useFreshResources();
  for (const n of [1, 2]) expect((await call('PUT', '/v1/node/register', { Node: testNode(n) })).status).toBe(200);
});

describe('versions, diffs, submissions, revert, stable and tags', () => {
  it('keeps the submitted source per version', async () => {
    const source = 'job "web" {\n  group "app" {}\n}\n';
    const registered = await call('POST', '/v1/jobs', {
      Job: serviceJob('web', 1, 100, 64),
      Submission: { Source: source, Format: 'hcl2', VariableFlags: { X: 'x' } },
    });
    expect(registered.status).toBe(200);
    const submission = await call('GET', '/v1/job/web/submission?version=0');
    expect(submission.status).toBe(200);
    expect(submission.body).toMatchObject({ Source: source, Format: 'hcl2', VariableFlags: { X: 'x' }, JobID: 'web', Version: 0, Namespace: 'default' });
    expect((await call('GET', '/v1/job/web/submission')).text).toBe('Unable to parse job submission version parameter');
    const missing = await call('GET', '/v1/job/web/submission?version=7');
    expect([missing.status, missing.text]).toEqual([404, 'job source not found']);
  });

  it('lists versions newest first with diffs between neighbours', async () => {
    await call('POST', '/v1/jobs', { Job: serviceJob('web', 1, 100, 64, { Meta: { owner: 'a' } }) });
    await call('POST', '/v1/jobs', { Job: serviceJob('web', 2, 100, 64, { Meta: { owner: 'a' } }) });
    const versions = await call('GET', '/v1/job/web/versions?diffs=true');
    expect(versions.status).toBe(200);
    expect(versions.body.Versions.map((job: any) => job.Version)).toEqual([2, 1, 0]);
    expect(versions.body.Diffs).toHaveLength(2);
    expect(versions.body.Diffs[0].TaskGroups[0].Fields).toEqual([{ Type: 'Edited', Name: 'Count', Old: '1', New: '2', Annotations: null }]);
    expect(versions.body.Diffs[1].Fields).toEqual([{ Type: 'Added', Name: 'Meta[owner]', Old: '', New: 'a', Annotations: null }]);
    expect(versions.headers.get('X-Nomad-Index')).toBe(String(Math.max(...versions.body.Versions.map((job: any) => job.ModifyIndex))));
    const against = await call('GET', '/v1/job/web/versions?diffs=true&diff_version=0');
    expect(against.body.Diffs).toHaveLength(3);
    expect(against.body.Diffs[2].Type).toBe('None');
    expect((await call('GET', '/v1/job/web/versions?diffs=true&diff_version=9')).text).toBe('version 9 not found');
    expect((await call('GET', '/v1/job/nope/versions')).text).toBe('job versions not found');
  });

  it('answers null diffs for a job with a single version, as Go marshals an empty slice', async () => {
    await call('POST', '/v1/jobs', { Job: serviceJob('solo', 1, 100, 64) });
    const versions = await call('GET', '/v1/job/solo/versions?diffs=true');
    expect(versions.body.Versions).toHaveLength(1);
    expect(versions.body.Diffs).toBeNull();
  });

  it('reverts to an older version as a new one, with its source', async () => {
    const reverted = await call('POST', '/v1/job/web/revert', { JobID: 'web', JobVersion: 0 });
    expect(reverted.status).toBe(200);
    expect(reverted.body.EvalID).toMatch(/^[0-9a-f-]{36}$/);
    const job = await call('GET', '/v1/job/web');
    expect(job.body).toMatchObject({ Version: 3, Meta: null, Stable: false });
    expect(job.body.TaskGroups[0].Count).toBe(1);
    expect((await call('GET', '/v1/job/web/submission?version=3')).body.Source).toContain('job "web"');
    const current = await call('POST', '/v1/job/web/revert', { JobID: 'web', JobVersion: 3 });
    expect([current.status, current.text]).toEqual([400, "can't revert to current version"]);
    const enforced = await call('POST', '/v1/job/web/revert', { JobID: 'web', JobVersion: 1, EnforcePriorVersion: 2 });
    expect([enforced.status, enforced.text]).toEqual([409, 'Current job has version 3; enforcing version 2']);
    expect((await call('POST', '/v1/job/web/revert', { JobID: 'other', JobVersion: 1 })).text).toBe('Job ID does not match');
    expect((await call('POST', '/v1/job/web/revert', { JobID: 'web', JobVersion: 42 })).text).toBe(
      'job "web" in namespace "default" at version 42 not found',
    );
  });

  it('marks versions stable', async () => {
    const stable = await call('POST', '/v1/job/web/stable', { JobID: 'web', JobVersion: 3, Stable: true });
    expect(stable.status).toBe(200);
    expect(stable.body).toEqual({ Index: expect.any(Number) });
    expect((await call('GET', '/v1/job/web')).body.Stable).toBe(true);
    const old = await call('POST', '/v1/job/web/stable', { JobID: 'web', JobVersion: 1, Stable: true });
    expect(old.status).toBe(200);
    const versions = await call('GET', '/v1/job/web/versions');
    expect(versions.body.Versions.find((job: any) => job.Version === 1).Stable).toBe(true);
  });

  it('tags versions uniquely, reverts by tag and untags', async () => {
    const tagged = await call('POST', '/v1/job/web/versions/golden/tag', { Version: 1, Description: 'The version we can roll back to.' });
    expect(tagged.status).toBe(200);
    expect(tagged.body).toMatchObject({ Name: 'golden', Description: 'The version we can roll back to.', LastContact: 0 });
    const taken = await call('POST', '/v1/job/web/versions/golden/tag', { Version: 2 });
    expect([taken.status, taken.text]).toEqual([400, 'tag "golden" already exists on a different version of job "web"']);
    const versions = await call('GET', '/v1/job/web/versions?diffs=true&diff_tag=golden');
    expect(versions.body.Versions.find((job: any) => job.Version === 1).VersionTag.Name).toBe('golden');
    const byTag = await call('POST', '/v1/job/web/revert', { JobID: 'web', TaggedVersion: 'golden' });
    expect(byTag.status).toBe(200);
    expect((await call('GET', '/v1/job/web')).body).toMatchObject({ Version: 4, Meta: { owner: 'a' }, VersionTag: null });
    const untagged = await call('DELETE', '/v1/job/web/versions/golden/tag');
    expect(untagged.body).toMatchObject({ Name: '', Description: '' });
    const gone = await call('DELETE', '/v1/job/web/versions/golden/tag');
    expect([gone.status, gone.text]).toEqual([404, 'tag "golden" not found on job "web"']);
    expect((await call('GET', '/v1/job/web/versions/tag')).text).toBe('invalid job tag endpoint');
  });

  it('keeps six versions, plus the tagged and newest stable ones', async () => {
    await call('POST', '/v1/job/web/versions/keep/tag', { Version: 0 });
    for (let i = 0; i < 8; i++) await call('POST', '/v1/jobs', { Job: serviceJob('web', 1, 100, 64, { Meta: { round: String(i) } }) });
    const versions = (await call('GET', '/v1/job/web/versions')).body.Versions.map((job: any) => job.Version);
    expect(versions).toEqual([12, 11, 10, 9, 8, 7, 3, 0]);
  });
});

describe('scale, deployments, evaluate, actions', () => {
  it('scales a group with events, and only records an event without a count', async () => {
    const status = await call('GET', '/v1/job/web/scale');
    expect(status.body).toMatchObject({ JobID: 'web', Namespace: 'default', JobStopped: false, TaskGroups: { app: { Desired: 1, Events: null } } });
    const scaled = await call('POST', '/v1/job/web/scale', { Count: 2, Target: { Group: 'app' }, Message: 'more', Meta: { by: 'test' } });
    expect(scaled.status).toBe(200);
    expect(scaled.body).toMatchObject({ EvalID: expect.any(String), Warnings: '', KnownLeader: false, LastContact: 0, NextToken: '' });
    const evaluation = await call('GET', `/v1/evaluation/${scaled.body.EvalID}`);
    expect(evaluation.body.TriggeredBy).toBe('job-scaling');
    const note = await call('POST', '/v1/job/web/scale', { Target: { Group: 'app' }, Error: true, Message: 'autoscaler failed' });
    expect(note.body).toMatchObject({ EvalID: '', EvalCreateIndex: 0 });
    const after = await call('GET', '/v1/job/web/scale');
    expect(after.body.TaskGroups.app.Desired).toBe(2);
    expect(after.body.TaskGroups.app.Events.map((event: any) => [event.Count, event.PreviousCount, event.Message, event.Error])).toEqual([
      [null, 2, 'autoscaler failed', true],
      [2, 1, 'more', false],
    ]);
    expect((await call('POST', '/v1/job/web/scale', { Count: 1, Target: {} })).text).toBe('missing task group name for scaling action');
    expect((await call('POST', '/v1/job/web/scale', { Count: -1, Target: { Group: 'app' } })).text).toBe("scaling action count can't be negative");
    expect((await call('POST', '/v1/job/web/scale', { Count: 1, Target: { Group: 'db' } })).text).toBe(
      'task group "db" specified for scaling does not exist in job',
    );
    expect((await call('POST', '/v1/job/nope/scale', { Count: 1, Target: { Group: 'app' } })).text).toBe('job "nope" not found');
    expect((await call('GET', '/v1/job/nope/scale')).status).toBe(404);
  });

  it('serves deployments and the latest one, and blocks scaling while one is active', async () => {
    await call('POST', '/v1/jobs', { Job: serviceJob('deployed', 1, 100, 64) });
    await drainEvalQueue();
    const deployments = await call('GET', '/v1/job/deployed/deployments');
    expect(deployments.status).toBe(200);
    expect(deployments.body).toHaveLength(1);
    expect(deployments.body[0]).toMatchObject({ JobID: 'deployed', Namespace: 'default', JobVersion: 0, Status: 'running' });
    const latest = await call('GET', '/v1/job/deployed/deployment');
    expect(latest.body.ID).toBe(deployments.body[0].ID);
    expect(latest.headers.get('X-Nomad-Index')).toBe(String(deployments.body[0].ModifyIndex));
    const blocked = await call('POST', '/v1/job/deployed/scale', { Count: 2, Target: { Group: 'app' } });
    expect([blocked.status, blocked.text]).toEqual([400, 'job scaling blocked due to active deployment']);
    expect((await call('GET', '/v1/job/nope/deployments')).body).toEqual([]);
    const none = await call('GET', '/v1/job/nope/deployment');
    expect([none.status, none.text]).toEqual([200, 'null']);
  });

  it('evaluates on demand, and refuses templates', async () => {
    const evaluated = await call('POST', '/v1/job/web/evaluate', { JobID: 'web', EvalOptions: { ForceReschedule: true } });
    expect(evaluated.status).toBe(200);
    expect((await call('GET', `/v1/evaluation/${evaluated.body.EvalID}`)).body).toMatchObject({ TriggeredBy: 'job-register', JobID: 'web' });
    expect((await call('POST', '/v1/job/web/evaluate')).status).toBe(200);
    expect((await call('POST', '/v1/job/web/evaluate', { JobID: 'x' })).text).toBe('JobID not same as job name');
    expect((await call('POST', '/v1/job/nope/evaluate', {})).text).toBe('job not found');
  });

  it('lists task actions in group and task order', async () => {
    const job = serviceJob('acts', 1, 100, 64);
    (job.TaskGroups[0].Tasks[0] as any).Actions = [{ Name: 'weather', Command: '/usr/bin/curl', Args: ['-s', 'wttr.in'] }];
    await call('POST', '/v1/jobs', { Job: job });
    const actions = await call('GET', '/v1/job/acts/actions');
    expect(actions.body).toEqual([{ Name: 'weather', Command: '/usr/bin/curl', Args: ['-s', 'wttr.in'], TaskName: 'server', TaskGroupName: 'app' }]);
    expect((await call('GET', '/v1/job/web/actions')).body).toEqual([]);
    expect((await call('GET', '/v1/job/nope/actions')).text).toBe('Unknown job "nope"');
    await drainEvalQueue();
  });
});

describe('plan', () => {
  it('dry-runs the scheduler without writing anything', async () => {
    const before = await call('GET', '/v1/jobs');
    const planned = await call('POST', '/v1/job/big/plan', { Job: serviceJob('big', 3, 800, 64), Diff: true });
    expect(planned.status).toBe(200);
    expect(planned.body).toMatchObject({ Index: 0, JobModifyIndex: 0, NextPeriodicLaunch: '0001-01-01T00:00:00Z', Warnings: '' });
    expect(planned.body.Diff).toMatchObject({ Type: 'Added', ID: 'big' });
    expect(planned.body.Diff.TaskGroups[0]).toMatchObject({ Name: 'app', Type: 'Added', Updates: { create: 3 } });
    expect(planned.body.Diff.TaskGroups[0].Tasks[0].Annotations).toEqual(['forces create']);
    expect(planned.body.Annotations.DesiredTGUpdates.app.Place).toBe(3);
    expect(planned.body.FailedTGAllocs.app.DimensionExhausted.cpu).toBeGreaterThan(0);
    expect(planned.body.CreatedEvals[0]).toMatchObject({ Status: 'blocked', TriggeredBy: 'queued-allocs' });
    expect((await call('GET', '/v1/job/big')).status).toBe(404);
    const after = await call('GET', '/v1/jobs');
    expect(after.headers.get('X-Nomad-Index')).toBe(before.headers.get('X-Nomad-Index'));
    expect((await call('GET', '/v1/job/big/plan')).status).toBe(405);
    expect((await call('POST', '/v1/job/big/plan', { Job: serviceJob('other', 1) })).text).toBe('Job ID does not match');
    const existing = await call('POST', '/v1/job/web/plan', { Job: serviceJob('web', 3, 100, 64), Diff: true });
    expect(existing.body.Index).toBe((await call('GET', '/v1/job/web')).body.JobModifyIndex);
    expect(existing.body.Diff.TaskGroups[0].Fields.find((field: any) => field.Name === 'Count').Annotations).toEqual(['forces create']);
  });
});

describe('parameterized and periodic jobs', () => {
  it('dispatches children with checked payload and meta, once per idempotency token', async () => {
    const parent = await call('POST', '/v1/jobs', {
      Job: batchJob('report', { ParameterizedJob: { Payload: 'optional', MetaRequired: ['customer'], MetaOptional: ['day'] } }),
    });
    expect(parent.body.EvalID).toBe('');
    const dispatched = await call('POST', '/v1/job/report/dispatch?idempotency_token=t1', {
      Payload: Buffer.from('hello').toString('base64'),
      Meta: { customer: 'acme' },
    });
    expect(dispatched.status).toBe(200);
    expect(dispatched.body.DispatchedJobID).toMatch(/^report\/dispatch-\d+-[0-9a-f]{8}$/);
    expect(dispatched.body.EvalID).toMatch(/^[0-9a-f-]{36}$/);
    const again = await call('POST', '/v1/job/report/dispatch?idempotency_token=t1', { Meta: { customer: 'acme' } });
    expect(again.body).toMatchObject({ DispatchedJobID: dispatched.body.DispatchedJobID, EvalID: '' });
    const child = await call('GET', `/v1/job/${encodeURIComponent(dispatched.body.DispatchedJobID)}`);
    expect(child.body).toMatchObject({ ParentID: 'report', Dispatched: true, Meta: { customer: 'acme' }, Payload: 'aGVsbG8=' });
    expect((await call('POST', '/v1/job/report/dispatch', { Meta: {} })).text).toBe('Dispatch did not provide required meta keys: [customer]');
    expect((await call('POST', '/v1/job/report/dispatch', { Meta: { customer: 'a', color: 'x' } })).text).toBe(
      'Dispatch request included unpermitted metadata keys: [color]',
    );
    const big = Buffer.alloc(16385).toString('base64');
    expect((await call('POST', '/v1/job/report/dispatch', { Payload: big, Meta: { customer: 'a' } })).text).toBe(
      'Payload exceeds maximum size; 16385 > 16384',
    );
    const prefixed = await call('POST', '/v1/job/report/dispatch', { Meta: { customer: 'a' }, IdPrefixTemplate: 'nightly' });
    expect(prefixed.body.DispatchedJobID).toMatch(/^report\/dispatch-nightly-\d+-[0-9a-f]{8}$/);
    expect((await call('POST', '/v1/job/web/dispatch', {})).text).toBe('Specified job "web" is not a parameterized job');
    expect((await call('POST', '/v1/job/nope/dispatch', {})).text).toBe('parameterized job not found');
    const summary = await call('GET', '/v1/job/report/summary');
    expect(summary.body.Children).toEqual({ Pending: 2, Running: 0, Dead: 0 });
  });

  it('launches periodic children when due and on force', async () => {
    const registered = await call('POST', '/v1/jobs', {
      Job: batchJob('nightly', { Periodic: { Spec: '*/5 * * * *', TimeZone: 'Europe/Paris', ProhibitOverlap: true } }),
    });
    expect(registered.body.EvalID).toBe('');
    const forced = await call('POST', '/v1/job/nightly/periodic/force');
    expect(forced.status).toBe(200);
    expect(Object.keys(forced.body).sort()).toEqual(['EvalCreateIndex', 'EvalID', 'Index']);
    const list = await call('GET', '/v1/jobs?prefix=nightly%2Fperiodic-');
    expect(list.body).toHaveLength(1);
    expect(list.body[0].ID).toMatch(/^nightly\/periodic-\d+$/);
    expect((await call('GET', `/v1/evaluation/${forced.body.EvalID}`)).body.TriggeredBy).toBe('periodic-job');
    expect((await call('POST', '/v1/job/web/periodic/force')).text).toBe("can't force launch non-periodic job");
    expect((await call('POST', '/v1/job/nightly/evaluate', {})).text).toBe("can't evaluate periodic job");
    const plan = await call('POST', '/v1/job/nightly/plan', { Job: batchJob('nightly', { Periodic: { Spec: '*/5 * * * *' } }) });
    expect(Date.parse(plan.body.NextPeriodicLaunch)).toBeGreaterThan(Date.now());
    // Ten minutes on, a launch is due, but the forced child still runs: ProhibitOverlap skips it.
    await runPeriodicDuties(new Date(Date.now() + 10 * 60_000));
    expect((await call('GET', '/v1/jobs?prefix=nightly%2F')).body).toHaveLength(1);
  });

  it('launches due children of overlapping-allowed jobs exactly once', async () => {
    await call('POST', '/v1/jobs', { Job: batchJob('hourly', { Periodic: { Spec: '0 * * * *' } }) });
    const later = new Date(Date.now() + 61 * 60_000);
    await Promise.all([runPeriodicDuties(later), runPeriodicDuties(later)]);
    const children = await call('GET', '/v1/jobs?prefix=hourly%2F');
    expect(children.body).toHaveLength(1);
    expect(children.body[0].ID).toMatch(/^hourly\/periodic-\d+$/);
    expect(Number(children.body[0].ID.split('-')[1]) % 3600).toBe(0);
  });
});

describe('listing', () => {
  it('filters with go-bexpr before paging', async () => {
    const batch = await call('GET', `/v1/jobs?filter=${encodeURIComponent('Type == "batch" and ParentID is empty and Name contains "rep"')}`);
    expect(batch.body.map((job: any) => job.ID)).toEqual(['report']);
    const meta = await call('GET', `/v1/jobs?filter=${encodeURIComponent('Meta.customer == "acme"')}`);
    expect(meta.body.map((job: any) => job.ParentID)).toEqual(['report']);
    const regex = await call('GET', `/v1/jobs?filter=${encodeURIComponent('ID matches "^(web|acts)$"')}&per_page=1`);
    expect(regex.body.map((job: any) => job.ID)).toEqual(['acts']);
    expect(regex.headers.get('X-Nomad-NextToken')).toBe('default.web');
    const missingField = await call('GET', `/v1/jobs?filter=${encodeURIComponent('NoSuchField == 1')}`);
    expect(missingField.status).toBe(400);
    expect(missingField.text).toBe('failed to read result page: error finding value in datum: /NoSuchField at part 0: couldn\'t find struct field with name "NoSuchField"');
    const syntax = await call('GET', `/v1/jobs?filter=${encodeURIComponent('Status ==')}`);
    expect(syntax.status).toBe(400);
    expect(syntax.text).toMatch(/^failed to create result paginator: failed to read filter expression: 1:1 \(0\): no match found/);
  });

  it('lists every namespace with namespace=*', async () => {
    expect((await call('PUT', '/v1/namespace/apps', { Name: 'apps', Description: 'applications' })).status).toBe(200);
    const other = await call('POST', '/v1/jobs?namespace=apps', { Job: serviceJob('api', 1, 100, 64) });
    expect(other.status).toBe(200);
    const all = await call('GET', '/v1/jobs?namespace=*');
    expect(all.body.filter((job: any) => job.ID === 'api' || job.ID === 'web').map((job: any) => `${job.Namespace}/${job.ID}`)).toEqual([
      'apps/api',
      'default/web',
    ]);
    const missing = await call('POST', '/v1/jobs?namespace=ghost', { Job: serviceJob('x', 1) });
    expect([missing.status, missing.text]).toEqual([400, 'job "x" is in nonexistent namespace "ghost"']);
    const namespaces = await call('GET', '/v1/namespaces');
    expect(namespaces.body.map((n: any) => n.Name)).toEqual(['apps', 'default']);
    expect((await call('DELETE', '/v1/namespace/apps')).text).toBe('namespace "apps" has non-terminal jobs in regions: [global]');
    expect((await call('DELETE', '/v1/namespace/default')).text).toBe('can not delete default namespace');
  });

  it('wakes a blocking query as soon as the job changes', async () => {
    const current = await call('GET', '/v1/job/acts');
    const index = current.headers.get('X-Nomad-Index');
    expect(current.body.TaskGroups[0].Count).toBe(1);
    // A wait far longer than any wake-up, so that answering early can only be the change's doing.
    const started = Date.now();
    const waiting = call('GET', `/v1/job/acts?index=${index}&wait=50s`);
    const registered = await call('POST', '/v1/jobs', { Job: serviceJob('acts', 2, 100, 64) });
    const woken = await waiting;
    expect(Date.now() - started).toBeLessThan(40_000);
    expect(woken.body.TaskGroups[0].Count).toBe(2);
    expect(woken.headers.get('X-Nomad-Index')).toBe(String(registered.body.JobModifyIndex));
    expect(woken.headers.get('X-Nomad-KnownLeader')).toBe('true');
    const timedOut = await call('GET', `/v1/job/acts?index=${woken.headers.get('X-Nomad-Index')}&wait=300ms`);
    expect(timedOut.headers.get('X-Nomad-Index')).toBe(woken.headers.get('X-Nomad-Index'));
  });
});

describe('blocking lists', () => {
  it('wake when a listed job changes status, not only when jobs come and go', async () => {
    await drainEvalQueue();
    expect((await call('POST', '/v1/jobs', { Job: serviceJob('stirring', 1, 100, 64) })).status).toBe(200);
    const list = await call('GET', '/v1/jobs?prefix=stirring');
    const index = list.headers.get('X-Nomad-Index');
    expect(list.body.map((job: any) => [job.ID, job.Status])).toEqual([['stirring', 'pending']]);
    const started = Date.now();
    const waiting = call('GET', `/v1/jobs?prefix=stirring&index=${index}&wait=50s`);
    await drainEvalQueue();
    const woken = await waiting;
    expect(Date.now() - started).toBeLessThan(40_000);
    expect(woken.body.map((job: any) => [job.ID, job.Status])).toEqual([['stirring', 'running']]);
    expect(Number(woken.headers.get('X-Nomad-Index'))).toBeGreaterThan(Number(index));
  });
});

describe('history retention', () => {
  it('keeps the newest six versions and their sources', async () => {
    for (let count = 1; count <= 9; count++) {
      const registered = await call('POST', '/v1/jobs', { Job: serviceJob('kept', count, 10, 10), Submission: { Source: `# count ${count}`, Format: 'hcl2' } });
      expect(registered.status).toBe(200);
    }
    const versions = await call('GET', '/v1/job/kept/versions');
    expect(versions.body.Versions.map((job: any) => job.Version)).toEqual([8, 7, 6, 5, 4, 3]);
    expect((await call('GET', '/v1/job/kept/submission?version=3')).body.Source).toBe('# count 4');
    expect((await call('GET', '/v1/job/kept/submission?version=2')).status).toBe(404);
  });
});
