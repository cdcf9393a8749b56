import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../../shared/aws/clients';
import { config } from '../../../shared/config';
import { computePlan } from '../../../shared/nomad/scheduler/generic-sched';
import { allocKey, clientUpdateItem, desiredTransitionItem, findAlloc, listNodeAllocs, readJobAllocs, withJobs, type StoredAlloc } from '../../../shared/nomad/store/allocs';
import { byId, createOrderKeys, nodeAllocsKey } from '../../../shared/nomad/store/keys';
import { followupStampItem, putNewAllocItem, stopAllocItem } from '../../../shared/nomad/store/plan-alloc-items';
import { transact } from '../../../shared/storage/transact';
import { itemSize } from '../../../shared/storage/item-size';
import { useFreshResources } from '../../support/resources';
import { evaluation, job, node, options, snapshot } from '../scheduler/fixtures';

/** Allocation items as the plan applier writes them, and as earlier versions wrote them (whole). */
beforeAll(async () => {
  await useFreshResources();
});

let nextIndex = 1_000;

/** Placements of the real scheduler, stamped as the plan applier stamps them. */
function placements(groups: Record<string, unknown>[], jobId: string): StoredAlloc[] {
  const nodes = [node('0a0d7c5e-6a5b-4a37-9a38-7d1f0f3c0001', {}, 8000, 16384), node('0a0d7c5e-6a5b-4a37-9a38-7d1f0f3c0002', {}, 8000, 16384)];
  const placed = computePlan({ snapshot: snapshot(job({ ID: jobId, TaskGroups: groups }), nodes), evaluation: evaluation({ JobID: jobId }), options }).plan.placements;
  const index = ++nextIndex;
  for (const stored of placed) stored.alloc.CreateIndex = stored.alloc.ModifyIndex = stored.alloc.AllocModifyIndex = index;
  return placed;
}

async function rawItem(stored: StoredAlloc) {
  return (await dynamo().send(new GetCommand({ TableName: config().tableName, Key: allocKey(stored.alloc) }))).Item!;
}

const simpleGroup = { Name: 'app', Count: 3, Tasks: [{ Name: 'server', Driver: 'raw_exec', Config: { command: 'sleep' }, Resources: { CPU: 100, MemoryMB: 64 } }] };

describe('allocation items', () => {
  it('read back as exactly the allocation placed, field order included, from the table and every index', async () => {
    const placed = placements([simpleGroup], 'placed');
    await transact(placed.map(putNewAllocItem));
    const fromJob = await readJobAllocs('default', 'placed');
    expect(fromJob).toHaveLength(3);
    for (const stored of placed) {
      const read = fromJob.find((entry) => entry.alloc.ID === stored.alloc.ID)!;
      expect(read).toEqual(stored);
      expect(JSON.stringify(read.alloc)).toBe(JSON.stringify(stored.alloc));
      expect(await findAlloc(stored.alloc.ID)).toEqual(stored);
      expect((await listNodeAllocs(stored.alloc.NodeID)).find((entry) => entry.alloc.ID === stored.alloc.ID)).toEqual(stored);
    }
    const [served] = await withJobs([fromJob[0]]);
    expect(Object.keys(served).slice(6, 9)).toEqual(['JobID', 'Job', 'TaskGroup']);
  });

  it('are under 1 KB as DynamoDB meters them, for the end-to-end bench shape', async () => {
    const [stored] = placements([simpleGroup], 'w4-99');
    await transact([putNewAllocItem(stored)]);
    const item = await rawItem(stored);
    expect(item.AllocatedResources).toBeUndefined();
    expect(item.Metrics).toBeUndefined();
    expect(itemSize(item)).toBeLessThan(1024);
  });

  it('keep resources and metrics of other shapes whole', async () => {
    const [stored] = placements([{ ...simpleGroup, Count: 1, Tasks: [{ ...simpleGroup.Tasks[0], Resources: { CPU: 100, MemoryMB: 64, MemoryMaxMB: 128 } }, { Name: 'init', Driver: 'raw_exec', Lifecycle: { Hook: 'prestart', Sidecar: false }, Resources: { CPU: 50, MemoryMB: 32 } }] }], 'shapes');
    const whole = structuredClone(stored);
    whole.alloc.ID = `${stored.alloc.ID.slice(0, -1)}f`;
    whole.alloc.AllocatedResources.Shared.Ports = [{ Label: 'http', Value: 23456, To: 8080, HostIP: '10.0.0.1' }];
    whole.alloc.Metrics = { ...whole.alloc.Metrics!, ScoreMetaData: [{ NodeID: 'another', Scores: { binpack: 0.5 }, NormScore: 0.5 }] };
    whole.claim = { CpuShares: 1, MemoryMB: 2, DiskMB: 3 };
    await transact([putNewAllocItem(stored), putNewAllocItem(whole)]);
    expect((await rawItem(stored)).R).toBeDefined();
    expect((await rawItem(whole)).AllocatedResources).toEqual(whole.alloc.AllocatedResources);
    const read = await readJobAllocs('default', 'shapes');
    expect(read.find((entry) => entry.alloc.ID === stored.alloc.ID)).toEqual(stored);
    expect(read.find((entry) => entry.alloc.ID === whole.alloc.ID)).toEqual(whole);
  });

  it('take every later change: client report, desired transition, follow-up, stop', async () => {
    const [stored] = placements([{ ...simpleGroup, Count: 1 }], 'changed');
    await transact([putNewAllocItem(stored)]);
    const task = { State: 'running', Failed: false, Restarts: 0, LastRestart: null, StartedAt: '2026-01-01T00:00:00Z', FinishedAt: null, Events: null };
    await transact([clientUpdateItem(stored, { ID: stored.alloc.ID, ClientStatus: 'running', ClientDescription: 'Tasks are running', TaskStates: { server: task } }, true, 2_000, 5)]);
    await transact([desiredTransitionItem(stored.alloc, 'Migrate', 2_001)]);
    await transact([followupStampItem(allocKey(stored.alloc), { allocId: stored.alloc.ID, followupEvalId: 'follow-up' }, 2_002)]);
    await transact([stopAllocItem(allocKey(stored.alloc), {
          allocId: stored.alloc.ID,
          nodeId: stored.alloc.NodeID,
          desiredDescription: 'alloc is being migrated',
          claim: stored.claim,
          wasLive: true,
          previousClientStatus: 'running',
          taskGroup: 'app',
          replacedBy: 'next-one',
        }, 2_003, 7)]);
    const [read] = await readJobAllocs('default', 'changed');
    expect(read.live).toBe(false);
    expect(read.claim).toEqual(stored.claim);
    expect(read.alloc).toEqual({
      ...stored.alloc,
      ClientStatus: 'running',
      ClientDescription: 'Tasks are running',
      TaskStates: { server: task },
      DesiredTransition: { ...stored.alloc.DesiredTransition, Migrate: true },
      FollowupEvalID: 'follow-up',
      DesiredStatus: 'stop',
      DesiredDescription: 'alloc is being migrated',
      NextAllocation: 'next-one',
      ModifyIndex: 2_003,
      AllocModifyIndex: 2_003,
      ModifyTime: 7,
    });
    // A second follow-up stamp does not overwrite the first.
    await expect(transact([followupStampItem(allocKey(stored.alloc), { allocId: stored.alloc.ID, followupEvalId: 'other' }, 2_004)])).rejects.toThrow();
  });

  it('written whole by earlier versions read as they were', async () => {
    const [stored] = placements([{ ...simpleGroup, Count: 1 }], 'older');
    const { Job: _job, ...alloc } = stored.alloc;
    await dynamo().send(
      new PutCommand({
        TableName: config().tableName,
        Item: {
          ...alloc,
          ...allocKey(alloc),
          ...byId('ALLOC', alloc.ID),
          GSI3PK: nodeAllocsKey(alloc.NodeID),
          GSI3SK: alloc.ID,
          ...createOrderKeys('ALLOC', alloc.Namespace, alloc.CreateIndex, alloc.ID),
          JobVersion: stored.jobVersion,
          JobCreateIndex: stored.jobCreateIndex,
          JobModifyIndex: stored.jobModifyIndex,
          Live: stored.live,
          Claim: stored.claim,
        },
      }),
    );
    const [read] = await readJobAllocs('default', 'older');
    expect(read).toEqual(stored);
    expect(JSON.stringify(read.alloc)).toBe(JSON.stringify(stored.alloc));
    await transact([followupStampItem(allocKey(stored.alloc), { allocId: stored.alloc.ID, followupEvalId: 'follow-up' }, 3_000)]);
    expect((await findAlloc(stored.alloc.ID))?.alloc.FollowupEvalID).toBe('follow-up');
  });
});
