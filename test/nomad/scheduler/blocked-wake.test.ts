import { describe, expect, it } from 'vitest';
import { ANY_BUCKET, blockedBuckets, couldPlaceOn, nodeBuckets, type BlockedEntry } from '../../../shared/nomad/scheduler/blocked-wake';

const entry = (fields: Partial<BlockedEntry>): BlockedEntry => ({ Namespace: 'default', JobID: 'j', EvalID: 'e', Datacenters: ['dc1'], NodePool: 'default', ...fields });

describe('the buckets a blocked evaluation is filed under', () => {
  it('are its pool and each literal datacenter, or the one bucket every node reads', () => {
    expect(blockedBuckets({ Datacenters: ['dc1', 'dc2', 'dc1'], NodePool: 'default' })).toEqual(['default#dc1', 'default#dc2']);
    expect(blockedBuckets({ Datacenters: ['dc1', 'dc-?'], NodePool: 'default' })).toEqual([ANY_BUCKET]);
    expect(blockedBuckets({ Datacenters: ['*'], NodePool: 'default' })).toEqual([ANY_BUCKET]);
    expect(blockedBuckets({ Datacenters: ['dc1'], NodePool: 'all' })).toEqual([ANY_BUCKET]);
    expect(blockedBuckets({ Datacenters: ['a', 'b', 'c', 'd', 'e'], NodePool: 'default' })).toEqual([ANY_BUCKET]);
    expect(nodeBuckets({ Datacenter: 'dc1' })).toEqual(['default#dc1', ANY_BUCKET]);
  });
});

describe('whether a node may wake a blocked evaluation', () => {
  it('needs a datacenter and pool its job targets', () => {
    expect(couldPlaceOn(entry({}), { Datacenter: 'dc1', NodePool: 'default' })).toBe(true);
    expect(couldPlaceOn(entry({}), { Datacenter: 'dc2', NodePool: 'default' })).toBe(false);
    expect(couldPlaceOn(entry({ Datacenters: ['dc*'] }), { Datacenter: 'dc2' })).toBe(true);
    expect(couldPlaceOn(entry({ NodePool: 'gpu' }), { Datacenter: 'dc1', NodePool: 'default' })).toBe(false);
    expect(couldPlaceOn(entry({ NodePool: 'all' }), { Datacenter: 'dc1', NodePool: 'gpu' })).toBe(true);
  });

  it('skips a class the evaluation was ineligible on unless it escaped classes', () => {
    const blocked = entry({ ClassEligibility: { 'v1:a': false, 'v1:b': true } });
    expect(couldPlaceOn(blocked, { Datacenter: 'dc1', ComputedClass: 'v1:a' })).toBe(false);
    expect(couldPlaceOn(blocked, { Datacenter: 'dc1', ComputedClass: 'v1:b' })).toBe(true);
    expect(couldPlaceOn(blocked, { Datacenter: 'dc1', ComputedClass: 'v1:c' })).toBe(true);
    expect(couldPlaceOn({ ...blocked, EscapedComputedClass: true }, { Datacenter: 'dc1', ComputedClass: 'v1:a' })).toBe(true);
  });
});
