import { beforeAll, describe, expect, it } from 'vitest';
import { countDynamoRequests } from '../../../shared/aws/request-count';
import { claimWhileCommitting, clusterNodes } from '../../../shared/nomad/worker/node-cache';
import { useFreshResources } from '../../support/resources';
import { api, testNode } from '../../support/nomad';

/** The worker's warm view of the nodes, shared by the evaluations one process runs at once. */
beforeAll(async () => {
  await useFreshResources();
  for (const n of [1, 2]) await api('PUT', '/v1/node/register', { Node: testNode(n) });
});

const kinds = (requests: string[], kind: string) => requests.filter((request) => request === `${kind}Command`).length;

describe('the worker node cache', () => {
  it('reads the node list once for evaluations that find it outdated at the same time', async () => {
    const listing = await countDynamoRequests(() => clusterNodes({ fresh: true }));
    expect(listing.result.nodes.map((entry) => entry.node.ID).sort()).toEqual([testNode(1).ID, testNode(2).ID]);
    const listQueries = kinds(listing.requests, 'Query');
    expect(listQueries).toBeGreaterThan(0);

    await api('PUT', '/v1/node/register', { Node: testNode(3) });
    // The nodes index is checked at most once a second.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const concurrent = await countDynamoRequests(() => Promise.all(Array.from({ length: 4 }, () => clusterNodes())));
    expect(kinds(concurrent.requests, 'Query')).toBe(listQueries);
    // The index checked once and read once with the list; the usage items read by key, those of
    // the nodes listed before beside the list's queries and the new node's after them.
    expect(kinds(concurrent.requests, 'BatchGetItem')).toBe(4);
    expect(concurrent.result.some((seen) => seen.nodes.some((entry) => entry.node.ID === testNode(3).ID))).toBe(true);

    const next = await clusterNodes();
    expect(next.nodes.map((entry) => entry.node.ID).sort()).toEqual([testNode(1).ID, testNode(2).ID, testNode(3).ID]);
  });

  it('reads a fresh list when asked, even right after another read', async () => {
    const first = await countDynamoRequests(() => clusterNodes({ fresh: true }));
    const second = await countDynamoRequests(() => clusterNodes({ fresh: true }));
    expect(kinds(second.requests, 'Query')).toBe(kinds(first.requests, 'Query'));
    expect(second.result.fresh).toBe(true);
  });

  it('shows the capacity a transaction is committing to the evaluations planning meanwhile, and takes it back if it does not commit', async () => {
    const usedOn = async (n: number) => (await clusterNodes()).nodes.find((entry) => entry.node.ID === testNode(n).ID)!.used;
    await clusterNodes({ fresh: true });
    const before = await usedOn(1);
    const release = claimWhileCommitting(new Map([[testNode(1).ID, { CpuShares: 300, MemoryMB: 128, DiskMB: 10 }]]));
    expect(await usedOn(1)).toEqual({ CpuShares: before.CpuShares + 300, MemoryMB: before.MemoryMB + 128, DiskMB: before.DiskMB + 10 });
    expect(await usedOn(2)).toEqual({ CpuShares: 0, MemoryMB: 0, DiskMB: 0 });
    release();
    expect(await usedOn(1)).toEqual(before);
  });
});
