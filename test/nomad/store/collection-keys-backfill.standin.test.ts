import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../../shared/aws/clients';
import { config } from '../../../shared/config';
import { backfillCollectionKeys } from '../../../shared/nomad/store/collection-keys-backfill';
import { allocKey } from '../../../shared/nomad/store/allocs';
import { evalSk, jobPk } from '../../../shared/nomad/store/keys';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';

/** Allocations and evaluations stored before the collection indexes get their list keys from the periodic duties. */
beforeAll(async () => {
  await useFreshResources();
  expect((await api('PUT', '/v1/node/register', { Node: testNode(1) })).status).toBe(200);
  expect((await api('POST', '/v1/jobs', { Job: serviceJob('old', 2, 100, 64) })).status).toBe(200);
  await drainEvalQueue();
});

const strip = (Key: Record<string, string>) =>
  dynamo().send(new UpdateCommand({ TableName: config().tableName, Key, UpdateExpression: 'REMOVE GSI1PK, GSI1SK, GSI4PK, GSI4SK' }));

describe('backfillCollectionKeys', () => {
  it('adds the keys items written before lack, once', async () => {
    const allocs = (await api('GET', '/v1/job/old/allocations')).body;
    const evals = (await api('GET', '/v1/job/old/evaluations')).body;
    for (const alloc of allocs) await strip(allocKey({ Namespace: 'default', JobID: 'old', ID: alloc.ID }));
    for (const evaluation of evals) await strip({ PK: jobPk('default', 'old'), SK: evalSk(evaluation.ID) });
    expect((await api('GET', '/v1/allocations')).body).toEqual([]);
    expect((await api('GET', '/v1/evaluations')).body).toEqual([]);

    expect(await backfillCollectionKeys()).toEqual({ done: true, updated: allocs.length + evals.length });
    expect((await api('GET', '/v1/allocations')).body.map((stub: any) => stub.ID).sort()).toEqual(allocs.map((stub: any) => stub.ID).sort());
    expect((await api('GET', `/v1/allocations?prefix=${allocs[0].ID.slice(0, 6)}`)).body.map((stub: any) => stub.ID)).toContain(allocs[0].ID);
    expect((await api('GET', '/v1/evaluations')).body.map((evaluation: any) => evaluation.ID)).toEqual(evals.map((evaluation: any) => evaluation.ID));
    expect(await backfillCollectionKeys()).toEqual({ done: true, updated: 0 });
  });
});
