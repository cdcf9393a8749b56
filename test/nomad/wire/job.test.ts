import { describe, expect, it } from 'vitest';
import { canonicalizeJob } from '../../../shared/nomad/jobspec/canonicalize';
import { specOf } from '../../../shared/nomad/store/jobs';
import type { Job, JobState } from '../../../shared/nomad/structs/job';
import { jobJson } from '../../../shared/nomad/wire/job';

/**
 * A job's answer spliced from its stored spec text is, byte for byte, what parsing the spec and
 * writing it with the state after it gives (how the job item is read everywhere else).
 */
const state: JobState = {
  Status: 'running',
  StatusDescription: 'a "quoted" \u00e9t\u00e9 \u2028 line',
  Stable: true,
  Version: 3,
  // Unix nanoseconds, beyond 2^53, as stored and read back.
  SubmitTime: 1733550000123456789,
  CreateIndex: 11,
  ModifyIndex: 42,
  JobModifyIndex: 40,
};

describe('jobJson', () => {
  it('writes the spec and the state as JSON.stringify writes the job they make', () => {
    const job = canonicalizeJob({
      ID: 'caf\u00e9/dispatch-1',
      Datacenters: ['dc1', 'dc\u{1F600}'],
      Meta: { Version: 'meta keys named like state fields stay in Meta', '': 'empty key' },
      TaskGroups: [{ Name: 'app', Count: 2, Tasks: [{ Name: 'server', Driver: 'raw_exec', Config: { args: ['-n', '</script>'] }, Env: { PATH: 'C:\\bin' } }] }],
    } as unknown as Job);
    const spec = specOf({ ...job, ...state });
    const served = { ...JSON.parse(spec), ...state };
    expect(jobJson(spec, state)).toBe(JSON.stringify(served));
    expect(JSON.parse(jobJson(spec, state))).toEqual({ ...job, ...state });
  });

  it('writes an empty spec as the state alone', () => {
    expect(jobJson('{}', state)).toBe(JSON.stringify(state));
  });

  it('writes an unreadable number as null, as JSON.stringify does', () => {
    expect(JSON.parse(jobJson('{"ID":"x"}', { ...state, Version: Number.NaN })).Version).toBeNull();
  });
});
