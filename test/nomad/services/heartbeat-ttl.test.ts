import { describe, expect, it } from 'vitest';
import { rateScaledTtlMs } from '../../../shared/nomad/services/heartbeat-ttl';

describe('rateScaledTtlMs', () => {
  it('gives the configured TTL while the nodes can heartbeat within it at the rate', () => {
    expect(rateScaledTtlMs(30_000, 50, 0, () => 0.5)).toBe(30_000);
    expect(rateScaledTtlMs(30_000, 50, 1_500, () => 0.5)).toBe(30_000);
  });

  it('beyond, gives the time the nodes take at the rate, staggered by up to as much again', () => {
    expect(rateScaledTtlMs(30_000, 50, 5_000, () => 0)).toBe(100_000);
    expect(rateScaledTtlMs(30_000, 50, 5_000, () => 0.5)).toBe(150_000);
    expect(rateScaledTtlMs(30_000, 50, 5_000, () => 0.999)).toBe(199_900);
    expect(rateScaledTtlMs(30_000, 50, 1_501, () => 0)).toBe(30_020);
  });

  it('takes a rate that is not positive or not a number as no limit', () => {
    expect(rateScaledTtlMs(30_000, 0, 5_000)).toBe(30_000);
    expect(rateScaledTtlMs(30_000, -1, 5_000)).toBe(30_000);
    expect(rateScaledTtlMs(30_000, Number.NaN, 5_000)).toBe(30_000);
  });
});
