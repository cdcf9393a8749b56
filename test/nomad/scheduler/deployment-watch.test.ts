import { describe, expect, it } from 'vitest';
import { missedProgressDeadline, shouldAutoPromote, watchDeployment } from '../../../shared/nomad/scheduler/deployment-watch';
import type { Allocation } from '../../../shared/nomad/structs/allocation';
import type { Deployment, DeploymentState } from '../../../shared/nomad/structs/deployment';
import { group, job } from './fixtures';

const now = Date.parse('2026-01-01T00:00:00Z');

function deployment(state: Partial<DeploymentState> = {}): Deployment {
  return {
    ID: 'd1',
    Namespace: 'default',
    JobID: 'web',
    JobVersion: 1,
    JobModifyIndex: 1,
    JobSpecModifyIndex: 1,
    JobCreateIndex: 1,
    IsMultiregion: false,
    Status: 'running',
    StatusDescription: 'Deployment is running',
    EvalPriority: 50,
    CreateIndex: 1,
    ModifyIndex: 1,
    TaskGroups: {
      app: {
        AutoRevert: false,
        AutoPromote: false,
        ProgressDeadline: 600e9,
        RequireProgressBy: null,
        Promoted: false,
        PlacedCanaries: null,
        DesiredCanaries: 0,
        DesiredTotal: 2,
        PlacedAllocs: 2,
        HealthyAllocs: 0,
        UnhealthyAllocs: 0,
        ...state,
      },
    },
  };
}

function alloc(id: string, healthy: boolean | null, extra: Partial<Allocation> = {}): Allocation {
  return { ID: id, TaskGroup: 'app', DeploymentID: 'd1', DesiredStatus: 'run', ClientStatus: 'running', DeploymentStatus: { Healthy: healthy, Timestamp: '', Canary: false, ModifyIndex: 1 }, DesiredTransition: {}, RescheduleTracker: null, ...extra } as Allocation;
}

const unlimited = job({ TaskGroups: [group(2)] });
const oneAttempt = job({ TaskGroups: [group(2, { ReschedulePolicy: { Attempts: 1, Interval: 3600e9, Delay: 1e9, DelayFunction: 'constant', Unlimited: false } })] });

describe('the deployment watcher', () => {
  it('evaluates the job when an allocation turns healthy', () => {
    const decision = watchDeployment(deployment(), [alloc('a', true), alloc('b', null)], unlimited, new Set(['a']), now);
    expect(decision).toMatchObject({ fail: false, evaluate: true, promote: false, allowReschedule: [] });
  });

  it('lets an unhealthy allocation be replaced while the progress deadline allows it', () => {
    const decision = watchDeployment(deployment(), [alloc('a', false)], unlimited, new Set(['a']), now);
    expect(decision).toMatchObject({ fail: false, allowReschedule: ['a'] });
  });

  it('fails (and rolls back with AutoRevert) when no replacement can help', () => {
    const noDeadline = watchDeployment(deployment({ ProgressDeadline: 0, AutoRevert: true }), [alloc('a', false)], unlimited, new Set(['a']), now);
    expect(noDeadline).toMatchObject({ fail: true, rollback: true });
    const used = alloc('a', false, { RescheduleTracker: { Events: [{ RescheduleTime: now * 1e6 - 1e9, PrevAllocID: 'x', PrevNodeID: 'n', Delay: 1e9 }] } });
    expect(watchDeployment(deployment(), [used], oneAttempt, new Set(['a']), now)).toMatchObject({ fail: true, rollback: false });
  });

  it('promotes automatically only when every canary of every auto-promoting group is healthy', () => {
    const canaries = deployment({ DesiredCanaries: 2, PlacedCanaries: ['c1', 'c2'], AutoPromote: true });
    expect(shouldAutoPromote(canaries, [alloc('c1', true), alloc('c2', null)])).toBe(false);
    expect(shouldAutoPromote(canaries, [alloc('c1', true), alloc('c2', true)])).toBe(true);
    expect(shouldAutoPromote({ ...canaries, TaskGroups: { app: { ...canaries.TaskGroups.app, AutoPromote: false } } }, [alloc('c1', true), alloc('c2', true)])).toBe(false);
  });

  it('fails a deployment past its progress deadline unless it is done or waits for promotion with healthy canaries', () => {
    const late = deployment({ RequireProgressBy: new Date(now - 1000).toISOString(), AutoRevert: true });
    expect(missedProgressDeadline(late, [alloc('a', true), alloc('b', null)], job({ TaskGroups: [group(2, { Update: { AutoRevert: true } })] }), now)).toEqual({ fail: true, rollback: true });
    expect(missedProgressDeadline(late, [alloc('a', true), alloc('b', true)], unlimited, now).fail).toBe(false);
    const waiting = deployment({ RequireProgressBy: new Date(now - 1000).toISOString(), DesiredCanaries: 1, PlacedCanaries: ['c'], HealthyAllocs: 1 });
    expect(missedProgressDeadline(waiting, [alloc('c', true)], unlimited, now).fail).toBe(false);
    const notYet = deployment({ RequireProgressBy: new Date(now + 1000).toISOString() });
    expect(missedProgressDeadline(notYet, [], unlimited, now).fail).toBe(false);
  });
});
