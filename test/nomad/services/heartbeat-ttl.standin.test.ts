import { beforeAll, describe, expect, it } from 'vitest';
import { useFreshResources } from '../../support/resources';
import { api, testNode } from '../../support/nomad';

// Three nodes at one heartbeat every 20 s: 60 s to go round, twice the configured 30 s.
process.env.HEARTBEAT_TTL_SECONDS = '30';
process.env.MAX_HEARTBEATS_PER_SECOND = '0.05';

beforeAll(async () => {
  await useFreshResources();
});

const seconds = (ttl: number) => ttl / 1e9;

describe('heartbeat TTL', () => {
  it('is the configured one for a small cluster, and grows with the nodes once they would heartbeat faster than the rate', async () => {
    const registered = await api('PUT', '/v1/node/register', { Node: testNode(1) });
    expect(registered.status).toBe(200);
    expect(seconds(registered.body.HeartbeatTTL)).toBe(30);
    for (const n of [2, 3]) expect((await api('PUT', '/v1/node/register', { Node: testNode(n) })).status).toBe(200);

    // The count of nodes behind the TTL is a minute old at most: a heartbeat a minute on reads it again.
    const { heartbeatNode } = await import('../../../shared/nomad/services/node-heartbeat');
    const { readNode } = await import('../../../shared/nomad/store/nodes');
    const now = Date.now() + 61_000;
    const { heartbeatTtlMs } = await heartbeatNode(testNode(1).ID, now);
    expect(heartbeatTtlMs).toBeGreaterThanOrEqual(60_000);
    expect(heartbeatTtlMs).toBeLessThan(120_000);
    expect((await readNode(testNode(1).ID))?.heartbeatExpiry).toBe(now + heartbeatTtlMs);
  });
});
