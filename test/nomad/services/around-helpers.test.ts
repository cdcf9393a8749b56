import { describe, expect, it } from 'vitest';
import { pageToken, tokenStart } from '../../../shared/nomad/services/collection-page';
import { jobMatches } from '../../../shared/nomad/services/fuzzy-search';
import { intervalTimestamp, prometheusText } from '../../../shared/nomad/wire/metrics-summary';
import { uuidPrefix } from '../../../shared/nomad/services/prefix-search';
import { uuidForm } from '../../../shared/nomad/services/uuid-prefix';
import { canonicalizeJob } from '../../../shared/nomad/jobspec/canonicalize';

/** Pure helpers of the collection lists, metrics and search. */
describe('paging tokens', () => {
  it('are <CreateIndex>.<ID> in creation order and <ID> by prefix, and read back as start positions', () => {
    const item = { ID: 'ab12', CreateIndex: 1_800_000_000_000_123, ModifyIndex: 0 };
    expect(pageToken(item, false)).toBe('1800000000000123.ab12');
    expect(pageToken(item, true)).toBe('ab12');
    expect(tokenStart('1800000000000123.ab12', false)).toEqual({ createIndex: 1_800_000_000_000_123, id: 'ab12' });
    expect(tokenStart('ab12', true)).toEqual({ id: 'ab12' });
    expect(tokenStart('nonsense', false)).toEqual({ id: 'nonsense' });
    expect(tokenStart(undefined, false)).toBeUndefined();
  });
});

describe('UUID prefixes', () => {
  it('take the stored form whatever hyphens and case they come with', () => {
    expect(uuidForm('5F1C2A7B12')).toBe('5f1c2a7b-12');
    expect(uuidForm('5f1c-2a7b')).toBe('5f1c2a7b');
    expect(uuidForm('5f1c2a7b123456789abcdef012345678')).toBe('5f1c2a7b-1234-5678-9abc-def012345678');
  });

  it('are rounded down to an even length for search, and refused when not hex', () => {
    expect(uuidPrefix('abc')).toBe('ab');
    expect(uuidPrefix('a')).toBe('');
    expect(uuidPrefix('web')).toBeUndefined();
  });
});

describe('metrics', () => {
  it('stamp the 10-second interval as Go prints a time, and name Prometheus series as Nomad’s exporter', () => {
    expect(intervalTimestamp(Date.UTC(2025, 0, 1, 10, 0, 17, 500))).toBe('2025-01-01 10:00:10 +0000 UTC');
    const text = prometheusText({ Timestamp: '', Gauges: [{ Name: 'nomad.runtime.alloc_bytes', Value: 5, Labels: { host: 'a"b' } }], Points: [], Counters: [], Samples: [] });
    expect(text).toBe('# HELP nomad_runtime_alloc_bytes nomad_runtime_alloc_bytes\n# TYPE nomad_runtime_alloc_bytes gauge\nnomad_runtime_alloc_bytes{host="a\\"b"} 5\n');
  });
});

describe('fuzzy job matches', () => {
  it('find the job, its groups, tasks, services, images and commands with their scopes', () => {
    const job = canonicalizeJob({
      ID: 'shop',
      Name: 'shop',
      Namespace: 'apps',
      TaskGroups: [
        {
          Name: 'shop-web',
          Services: [{ Name: 'shop-http' }],
          Tasks: [
            { Name: 'shop-nginx', Driver: 'docker', Config: { image: 'shop/nginx' }, Services: [{ Name: 'shop-metrics' }] },
            { Name: 'worker', Driver: 'raw_exec', Config: { command: '/bin/shop' } },
          ],
        },
      ],
    });
    const found = jobMatches(job, 'shop');
    expect(found.jobs).toEqual([{ ID: 'shop', Scope: ['apps', 'shop'], at: 0 }]);
    expect(found.groups).toEqual([{ ID: 'shop-web', Scope: ['apps', 'shop'], at: 0 }]);
    expect(found.services).toEqual([
      { ID: 'shop-http', Scope: ['apps', 'shop', 'shop-web'], at: 0 },
      { ID: 'shop-metrics', Scope: ['apps', 'shop', 'shop-web', 'shop-nginx'], at: 0 },
    ]);
    expect(found.tasks).toEqual([{ ID: 'shop-nginx', Scope: ['apps', 'shop', 'shop-web'], at: 0 }]);
    expect(found.images).toEqual([{ ID: 'shop/nginx', Scope: ['apps', 'shop', 'shop-web', 'shop-nginx'], at: 0 }]);
    expect(found.commands).toEqual([{ ID: '/bin/shop', Scope: ['apps', 'shop', 'shop-web', 'worker'], at: 5 }]);
  });
});
