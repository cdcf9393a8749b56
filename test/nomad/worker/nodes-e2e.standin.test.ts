import { beforeAll, describe, expect, it } from 'vitest';
import { runSchedulerDuties } from '../../../shared/nomad/services/scheduler-duties';
import { listOpenEvals } from '../../../shared/nomad/store/evals';
import { transitionNode } from '../../../shared/nomad/store/nodes';
import { nextIndex } from '../../../shared/storage/index-clock';
import { processEvaluation } from '../../../shared/nomad/worker/process-eval';
import { requeuePendingEvals } from '../../../shared/nomad/worker/requeue';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';
import { auditCapacity, liveAllocs, report } from '../../support/nomad-cluster';

const TTL_MS = 30_000;

beforeAll(async () => {
  await useFreshResources();
  for (const n of [1, 2]) await api('PUT', '/v1/node/register', { Node: testNode(n) });
});

function systemJob(id: string) {
  return { ...serviceJob(id, 1, 100, 64), Type: 'system' };
}

describe('nodes and the scheduler', () => {
  it('runs a system job on every node and fills a node that joins', async () => {
    await api('POST', '/v1/jobs', { Job: systemJob('agent') });
    await drainEvalQueue();
    expect((await liveAllocs('agent')).map((stored) => stored.alloc.NodeID).sort()).toEqual([testNode(1).ID, testNode(2).ID]);
    const registered = await api('PUT', '/v1/node/register', { Node: testNode(3) });
    expect(registered.body.EvalIDs).toHaveLength(1);
    await drainEvalQueue();
    const live = await liveAllocs('agent');
    expect(live.map((stored) => stored.alloc.NodeID).sort()).toEqual([testNode(1).ID, testNode(2).ID, testNode(3).ID]);
    expect(live.every((stored) => stored.alloc.Name === 'agent.app[0]')).toBe(true);
    const evaluation = (await api('GET', `/v1/evaluation/${registered.body.EvalIDs[0]}`)).body;
    expect(evaluation).toMatchObject({ TriggeredBy: 'node-update', NodeID: testNode(3).ID, Status: 'complete', Type: 'system' });
  });

  it('marks a node that stops heartbeating down, its allocations lost, and replaces them', async () => {
    await api('POST', '/v1/jobs', { Job: serviceJob('web', 4, 200, 64) });
    await drainEvalQueue();
    const before = await liveAllocs('web');
    expect(before).toHaveLength(4);
    const victim = before[0].alloc.NodeID;
    const now = Date.now() + TTL_MS + 1_000;
    // Every other node keeps heartbeating.
    for (const n of [1, 2, 3]) if (testNode(n).ID !== victim) await api('PUT', `/v1/node/${testNode(n).ID}/heartbeat`);
    for (const n of [1, 2, 3]) if (testNode(n).ID !== victim) await (await import('../../../shared/nomad/services/node-heartbeat')).heartbeatNode(testNode(n).ID, now);
    await runSchedulerDuties(now);
    const node = (await api('GET', `/v1/node/${victim}`)).body;
    expect(node.Status).toBe('down');
    expect(node.Events.at(-1).Message).toBe('Node heartbeat missed');
    await drainEvalQueue();
    const lost = (await api('GET', '/v1/job/web/allocations')).body.filter((a: any) => a.NodeID === victim && a.TaskGroup === 'app');
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.map((a: any) => [a.ClientStatus, a.DesiredDescription])).toEqual(lost.map(() => ['lost', 'alloc is lost since its node is down']));
    const live = await liveAllocs('web');
    expect(live).toHaveLength(4);
    expect(live.some((stored) => stored.alloc.NodeID === victim)).toBe(false);
    expect(new Set(live.map((stored) => stored.alloc.Name)).size).toBe(4);
    const replacements = live.filter((stored) => stored.alloc.PreviousAllocation);
    expect(replacements.length).toBe(lost.length);
    const summary = (await api('GET', '/v1/job/web/summary')).body.Summary.app;
    expect(summary.Lost).toBe(lost.length);
    await auditCapacity();

    // The node comes back: it is ready again and the system job runs there once more.
    await api('PUT', `/v1/node/${victim}/heartbeat`);
    await drainEvalQueue();
    expect((await api('GET', `/v1/node/${victim}`)).body.Status).toBe('ready');
    expect((await liveAllocs('agent')).filter((stored) => stored.alloc.NodeID === victim)).toHaveLength(1);
  });

  it('reschedules an allocation the client reports failed, per the reschedule policy', async () => {
    const job = serviceJob('flaky', 1, 100, 64);
    (job.TaskGroups[0] as any).ReschedulePolicy = { Attempts: 1, Interval: 3600e9, Delay: 1e9, DelayFunction: 'constant', Unlimited: false };
    await api('POST', '/v1/jobs', { Job: job });
    await drainEvalQueue();
    const [first] = await liveAllocs('flaky');
    await report([first], 'failed');
    const evals = (await api('GET', '/v1/job/flaky/evaluations')).body;
    expect(evals.some((evaluation: any) => evaluation.TriggeredBy === 'alloc-failure')).toBe(true);
    await drainEvalQueue();
    const [second] = await liveAllocs('flaky');
    expect(second.alloc.PreviousAllocation).toBe(first.alloc.ID);
    expect(second.alloc.RescheduleTracker?.Events).toHaveLength(1);
    expect((await api('GET', `/v1/allocation/${first.alloc.ID}`)).body).toMatchObject({ NextAllocation: second.alloc.ID, DesiredStatus: 'stop' });
    // The one attempt is used: a second failure is not replaced.
    await report([second], 'failed');
    await drainEvalQueue();
    expect(await liveAllocs('flaky')).toHaveLength(0);
    expect((await api('GET', '/v1/job/flaky/summary')).body.Summary.app).toMatchObject({ Failed: 2, Running: 0, Starting: 0 });
  });

  it('drains a node: ineligible, allocations migrated elsewhere', async () => {
    const target = (await liveAllocs('web'))[0].alloc.NodeID;
    const drained = await api('PUT', `/v1/node/${target}/drain`, { DrainSpec: { Deadline: 60e9, IgnoreSystemJobs: true } });
    expect(drained.status).toBe(200);
    await drainEvalQueue();
    const node = (await api('GET', `/v1/node/${target}`)).body;
    expect(node).toMatchObject({ SchedulingEligibility: 'ineligible' });
    expect((await liveAllocs('web')).some((stored) => stored.alloc.NodeID === target)).toBe(false);
    expect(await liveAllocs('web')).toHaveLength(4);
    const refused = await api('PUT', `/v1/node/${target}/eligibility`, { Eligibility: 'eligible' });
    expect([refused.status, refused.text]).toEqual([400, "can not set node's scheduling eligibility to eligible while it is draining"]);
    const cancelled = await api('PUT', `/v1/node/${target}/drain`, { DrainSpec: null, MarkEligible: true });
    expect(cancelled.status).toBe(200);
    expect((await api('GET', `/v1/node/${target}`)).body).toMatchObject({ SchedulingEligibility: 'eligible', DrainStrategy: null });
    await auditCapacity();
  });

  it('stops an allocation on request and places its replacement', async () => {
    const [victim] = await liveAllocs('web');
    const stopped = await api('PUT', `/v1/allocation/${victim.alloc.ID}/stop`);
    expect(stopped.status).toBe(200);
    expect(stopped.body.EvalID).toMatch(/^[0-9a-f-]{36}$/);
    await drainEvalQueue();
    expect((await api('GET', `/v1/allocation/${victim.alloc.ID}`)).body).toMatchObject({ DesiredStatus: 'stop', DesiredDescription: 'alloc is being migrated' });
    const live = await liveAllocs('web');
    expect(live).toHaveLength(4);
    const replacement = live.find((stored) => stored.alloc.PreviousAllocation === victim.alloc.ID)!;
    expect(replacement.alloc.Name).toBe(victim.alloc.Name);
    const byEval = (await api('GET', `/v1/evaluation/${stopped.body.EvalID}/allocations`)).body;
    expect(byEval.map((alloc: any) => alloc.ID)).toEqual([replacement.alloc.ID]);
    expect((await api('PUT', '/v1/allocation/nope/stop')).status).toBe(404);
  });

  it('fails an evaluation delivered too often and retries it later', async () => {
    const registered = await api('POST', '/v1/jobs', { Job: serviceJob('stuck', 1, 100, 64) });
    const outcome = await processEvaluation({ EvalID: registered.body.EvalID, Namespace: 'default', JobID: 'stuck' }, { receiveCount: 4 });
    expect(outcome).toBe('failed');
    const evaluation = (await api('GET', `/v1/evaluation/${registered.body.EvalID}`)).body;
    expect(evaluation).toMatchObject({ Status: 'failed', StatusDescription: 'evaluation reached delivery limit (3)' });
    const followUp = (await api('GET', `/v1/evaluation/${evaluation.NextEval}`)).body;
    expect(followUp).toMatchObject({ TriggeredBy: 'failed-follow-up', Status: 'pending', PreviousEval: registered.body.EvalID });
    expect(followUp.Wait).toBeGreaterThanOrEqual(60e9);
    // Not due yet: neither the worker nor the sweep runs it; once due, the sweep sends it.
    await drainEvalQueue();
    expect((await listOpenEvals('pending')).some((pending) => pending.ID === followUp.ID)).toBe(true);
    expect(await requeuePendingEvals(Date.parse(followUp.WaitUntil) + 1, 30_000)).toBeGreaterThanOrEqual(1);
  });

  it('gives a down node whose lost allocations were never evaluated its evaluations at the next run', async () => {
    const lonely = testNode(7);
    await api('PUT', '/v1/node/register', { Node: lonely });
    const pinned = { ...serviceJob('pinned', 1, 100, 64), Constraints: [{ LTarget: '${node.unique.id}', RTarget: lonely.ID, Operand: '=' }] };
    await api('POST', '/v1/jobs', { Job: pinned });
    await drainEvalQueue();
    expect((await liveAllocs('pinned')).map((stored) => stored.alloc.NodeID)).toEqual([lonely.ID]);
    // Marked down by a run that died before it created the evaluations.
    const marked = await transitionNode(lonely.ID, { status: 'down', expectStatus: 'ready' }, nextIndex());
    expect(marked?.node).toMatchObject({ ID: lonely.ID, Status: 'down' });
    await runSchedulerDuties(Date.now());
    const evals = (await api('GET', '/v1/job/pinned/evaluations')).body;
    expect(evals.filter((evaluation: any) => evaluation.TriggeredBy === 'node-update' && evaluation.NodeID === lonely.ID)).toHaveLength(1);
  });
});
