import { describe, expect, it } from 'vitest';
import { parseJobPath } from '../../../shared/nomad/http/job-path';
import { parseGoDuration } from '../../../shared/util/go-duration';

describe('parseJobPath', () => {
  it('takes a known suffix off a decoded path', () => {
    expect(parseJobPath('/v1/job/web')).toEqual({ jobId: 'web', action: 'job' });
    expect(parseJobPath('/v1/job/web/summary')).toEqual({ jobId: 'web', action: 'summary' });
    expect(parseJobPath('/v1/job/p%2Fdispatch-1-abcdef01/allocations')).toEqual({ jobId: 'p/dispatch-1-abcdef01', action: 'allocations' });
    expect(parseJobPath('/v1/job/web/periodic/force')).toEqual({ jobId: 'web', action: 'periodic/force' });
    expect(parseJobPath('/v1/job/web/versions/golden/tag')).toEqual({ jobId: 'web', action: 'tag', tag: 'golden' });
  });

  it('rejects paths without a job', () => {
    expect(parseJobPath('/v1/job/')).toBeUndefined();
    expect(parseJobPath('/v1/job/web/tag')).toBeUndefined();
  });
});

describe('parseGoDuration', () => {
  it('parses what time.ParseDuration parses', () => {
    expect(parseGoDuration('5s')).toBe(5000);
    expect(parseGoDuration('1m30s')).toBe(90_000);
    expect(parseGoDuration('1.5h')).toBe(5_400_000);
    expect(parseGoDuration('300ms')).toBe(300);
    expect(parseGoDuration('0')).toBe(0);
  });

  it('rejects what Go rejects', () => {
    expect(parseGoDuration('5')).toBeUndefined();
    expect(parseGoDuration('abc')).toBeUndefined();
    expect(parseGoDuration('')).toBeUndefined();
  });
});
