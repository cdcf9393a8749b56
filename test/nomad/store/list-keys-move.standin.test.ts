import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../../shared/aws/clients';
import { config } from '../../../shared/config';
import { allocKey } from '../../../shared/nomad/store/allocs';
import { createOrderSortKey, evalSk, jobKey, jobPk } from '../../../shared/nomad/store/keys';
import { moveListKeys } from '../../../shared/nomad/store/list-keys-move';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';

/**
 * Items written by earlier versions: listed whole in GSI1 / GSI4 (or, older still, not at all).
 * Lists read them where they are; the periodic duty moves them to today's KEYS_ONLY lists.
 */
let allocs: any[];
let evals: any[];

const write = (Key: Record<string, string>, UpdateExpression: string, values?: Record<string, string>) =>
  dynamo().send(new UpdateCommand({ TableName: config().tableName, Key, UpdateExpression, ExpressionAttributeValues: values }));

const asEarlierVersion = (Key: Record<string, string>, list: string, createIndex: number, id: string) =>
  write(Key, 'SET GSI1PK = :g1pk, GSI1SK = :g1sk, GSI4PK = :g4pk, GSI4SK = :g4sk REMOVE GSI5PK, GSI5SK, GSI6PK, GSI6SK', {
    ':g1pk': `${list}S#default`,
    ':g1sk': createOrderSortKey(createIndex, id),
    ':g4pk': `${list}IDS#default`,
    ':g4sk': id,
  });

const read = async (Key: Record<string, string>) => (await dynamo().send(new GetCommand({ TableName: config().tableName, Key }))).Item!;
const ids = (list: any[]) => list.map((entry) => entry.ID).sort();

beforeAll(async () => {
  await useFreshResources();
  expect((await api('PUT', '/v1/node/register', { Node: testNode(1) })).status).toBe(200);
  expect((await api('POST', '/v1/jobs', { Job: serviceJob('old', 3, 100, 64) })).status).toBe(200);
  await drainEvalQueue();
  allocs = (await api('GET', '/v1/job/old/allocations')).body;
  evals = (await api('GET', '/v1/job/old/evaluations')).body;
  await write(jobKey('default', 'old'), 'SET GSI1PK = :pk, GSI1SK = :sk REMOVE GSI5PK, GSI5SK', { ':pk': 'JOBS#default', ':sk': 'old' });
  for (const alloc of allocs.slice(0, 2)) await asEarlierVersion(allocKey({ Namespace: 'default', JobID: 'old', ID: alloc.ID }), 'ALLOC', alloc.CreateIndex, alloc.ID);
  // Older still: before the collection lists, no list keys at all.
  await write(allocKey({ Namespace: 'default', JobID: 'old', ID: allocs[2].ID }), 'REMOVE GSI5PK, GSI5SK, GSI6PK, GSI6SK');
  for (const evaluation of evals) await asEarlierVersion({ PK: jobPk('default', 'old'), SK: evalSk(evaluation.ID) }, 'EVAL', evaluation.CreateIndex, evaluation.ID);
});

describe('lists over items of earlier versions', () => {
  it('still list what earlier versions listed, before the move', async () => {
    expect((await api('GET', '/v1/jobs')).body.map((stub: any) => stub.ID)).toEqual(['old']);
    expect(ids((await api('GET', '/v1/allocations')).body)).toEqual(ids(allocs.slice(0, 2)));
    expect((await api('GET', `/v1/allocations?prefix=${allocs[0].ID.slice(0, 6)}`)).body.map((stub: any) => stub.ID)).toEqual([allocs[0].ID]);
    expect(ids((await api('GET', '/v1/evaluations')).body)).toEqual(ids(evals));
  });
});

describe('moveListKeys', () => {
  it('moves every item to the KEYS_ONLY lists, once', async () => {
    expect(await moveListKeys()).toEqual({ done: true, moved: 1 + allocs.length + evals.length });
    const job = await read(jobKey('default', 'old'));
    expect(job).toMatchObject({ GSI5PK: 'JOBS#default', GSI5SK: 'old' });
    expect(job.GSI1PK).toBeUndefined();
    for (const alloc of allocs) {
      const item = await read(allocKey({ Namespace: 'default', JobID: 'old', ID: alloc.ID }));
      expect(item.GSI5PK).toMatch(/^ALLOCS#default#\d+$/);
      expect(item.GSI5SK).toBe(createOrderSortKey(alloc.CreateIndex, alloc.ID));
      expect(item.GSI6SK).toBe(alloc.ID);
      expect([item.GSI1PK, item.GSI4PK]).toEqual([undefined, undefined]);
    }

    expect((await api('GET', '/v1/jobs')).body.map((stub: any) => stub.ID)).toEqual(['old']);
    expect(ids((await api('GET', '/v1/allocations')).body)).toEqual(ids(allocs));
    expect(ids((await api('GET', '/v1/evaluations')).body)).toEqual(ids(evals));
    expect(await moveListKeys()).toEqual({ done: true, moved: 0 });
  });
});
