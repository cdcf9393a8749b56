import { describe, expect, it } from 'vitest';
import { pipelineStatus, processPipeline, type ProcessableJob } from '../../../shared/gitlab/state/process-pipeline';
import type { JobStatus } from '../../../shared/gitlab/state/statuses';

let nextId = 1;
function job(name: string, stageIdx: number, overrides: Partial<ProcessableJob> = {}): ProcessableJob {
  return { id: nextId++, name, stageIdx, when: 'on_success', needs: null, status: 'created', allowFailure: false, ...overrides };
}

function run(jobs: ProcessableJob[]): Record<string, JobStatus> {
  const transitions = processPipeline(jobs);
  const byId = new Map(transitions.map((t) => [t.id, t.to]));
  return Object.fromEntries(jobs.map((j) => [j.name, byId.get(j.id) ?? j.status]));
}

describe('pipeline processing', () => {
  it('enqueues only the first stage of a new pipeline', () => {
    expect(run([job('build', 0), job('test', 1), job('deploy', 2)])).toEqual({ build: 'pending', test: 'created', deploy: 'created' });
  });

  it('starts the next stage once the earlier one succeeded', () => {
    expect(run([job('build', 0, { status: 'success' }), job('test', 1), job('lint', 1)])).toEqual({ build: 'success', test: 'pending', lint: 'pending' });
  });

  it('skips on_success jobs after a failure and runs on_failure and always jobs', () => {
    const result = run([
      job('build', 0, { status: 'failed' }),
      job('test', 1),
      job('notify', 1, { when: 'on_failure' }),
      job('cleanup', 2, { when: 'always' }),
    ]);
    expect(result).toEqual({ build: 'failed', test: 'skipped', notify: 'pending', cleanup: 'created' });
  });

  it('skips on_failure jobs when everything passed, and runs always jobs after skips', () => {
    const result = run([job('build', 0, { status: 'success' }), job('notify', 1, { when: 'on_failure' }), job('cleanup', 2, { when: 'always' })]);
    expect(result).toEqual({ build: 'success', notify: 'skipped', cleanup: 'pending' });
  });

  it('treats allowed failures as passing', () => {
    expect(run([job('lint', 0, { status: 'failed', allowFailure: true }), job('test', 1)])).toEqual({ lint: 'failed', test: 'pending' });
  });

  it('makes manual jobs manual and delayed jobs scheduled, and does not block on manual jobs that may fail', () => {
    const result = run([job('build', 0, { status: 'success' }), job('deploy', 1, { when: 'manual', allowFailure: true }), job('later', 1, { when: 'delayed' }), job('after', 2)]);
    expect(result).toEqual({ build: 'success', deploy: 'manual', later: 'scheduled', after: 'created' });
  });

  it('blocks later stages behind a manual job that may not fail', () => {
    const jobs = [job('gate', 0, { when: 'manual', allowFailure: false }), job('deploy', 1)];
    const result = run(jobs);
    expect(result).toEqual({ gate: 'manual', deploy: 'created' });
    expect(pipelineStatus([{ status: 'manual', allowFailure: false }, { status: 'created', allowFailure: false }])).toBe('manual');
  });

  it('runs DAG jobs as soon as their needs succeed, ignoring stage order', () => {
    const result = run([
      job('build_a', 0, { status: 'success' }),
      job('build_b', 0, { status: 'running' }),
      job('test_a', 1, { needs: ['build_a'] }),
      job('test_b', 1, { needs: ['build_b'] }),
      job('lint', 1, { needs: [] }),
    ]);
    expect(result).toMatchObject({ test_a: 'pending', test_b: 'created', lint: 'pending' });
  });

  it('skips DAG jobs whose need was skipped', () => {
    expect(run([job('build', 0, { status: 'skipped' }), job('test', 1, { needs: ['build'] })])).toMatchObject({ test: 'skipped' });
  });

  it('cascades within one pass: a skip reaches every later stage', () => {
    const result = run([job('build', 0, { status: 'canceled' }), job('test', 1), job('deploy', 2)]);
    expect(result).toEqual({ build: 'canceled', test: 'skipped', deploy: 'skipped' });
    expect(pipelineStatus([{ status: 'canceled', allowFailure: false }, { status: 'skipped', allowFailure: false }])).toBe('canceled');
  });
});
