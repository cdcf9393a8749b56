import { beforeAll, describe, expect, it } from 'vitest';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';

/** Bounds on a job as registered: its groups' Count, a prefixed list paged in the store, and a job near DynamoDB's item limit. */
const call = (method: string, path: string, body?: unknown) => api(method, path, body);

beforeAll(async () => {
  await useFreshResources();
  expect((await call('PUT', '/v1/node/register', { Node: testNode(1) })).status).toBe(200);
});

function withCount(id: string, count: unknown) {
  const job = serviceJob(id, 1, 10, 10);
  (job.TaskGroups[0] as any).Count = count;
  return job;
}

describe('task group Count', () => {
  it('refuses a negative count with Nomad’s text', async () => {
    const answer = await call('POST', '/v1/jobs', { Job: withCount('negative', -1) });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("Task group count can't be negative");
    expect((await call('GET', '/v1/job/negative')).status).toBe(404);
  });

  it('refuses counts that are not integers or are beyond the configured maximum, before any work is done', async () => {
    for (const count of [1.5, 1e308, 9007199254740993, 10_000_000, 50_001]) {
      const answer = await call('POST', '/v1/jobs', { Job: withCount('huge', count) });
      expect(answer.status, String(count)).toBe(400);
      expect(answer.text, String(count)).not.toBe('');
    }
    expect((await call('GET', '/v1/job/huge')).status).toBe(404);
    expect(await drainEvalQueue()).toBe(0);
  });

  it('still accepts an ordinary count', async () => {
    const answer = await call('POST', '/v1/jobs', { Job: withCount('fine', 3) });
    expect(answer.status).toBe(200);
    await drainEvalQueue();
  });
});

describe('a prefixed job list, paged', () => {
  it('pages with prefix and next_token together, in order and without repeats', async () => {
    for (const id of ['pg-1', 'pg-2', 'pg-3', 'pg-4', 'pg-5', 'other']) expect((await call('POST', '/v1/jobs', { Job: serviceJob(id, 1, 10, 10) })).status).toBe(200);
    const seen: string[] = [];
    let token: string | null = '';
    for (let page = 0; page < 5 && token !== null; page++) {
      const answer = await call('GET', `/v1/jobs?prefix=pg-&per_page=2${token ? `&next_token=${encodeURIComponent(token)}` : ''}`);
      expect(answer.status, answer.text).toBe(200);
      seen.push(...answer.body.map((job: any) => job.ID));
      token = answer.headers.get('X-Nomad-NextToken');
    }
    expect(seen).toEqual(['pg-1', 'pg-2', 'pg-3', 'pg-4', 'pg-5']);
    expect(token).toBeNull();
    await drainEvalQueue();
  });
});

describe('a job close to DynamoDB’s 400 KB item limit', () => {
  it('is stored and read back whole, or refused with a 400; never a 500', async () => {
    for (const kilobytes of [300, 390, 420]) {
      const id = `big-${kilobytes}`;
      const answer = await call('POST', '/v1/jobs', { Job: serviceJob(id, 1, 10, 10, { Meta: { blob: 'x'.repeat(kilobytes * 1024) } }) });
      expect(answer.status, `${kilobytes} KB: ${answer.text.slice(0, 200)}`).not.toBe(500);
      if (answer.status === 200) {
        const read = await call('GET', `/v1/job/${id}`);
        expect(read.body.Meta.blob).toHaveLength(kilobytes * 1024);
      } else {
        expect(answer.status).toBe(400);
        expect(answer.text).not.toMatch(/dynamo|ValidationException|Item size/i);
        expect((await call('GET', `/v1/job/${id}`)).status).toBe(404);
      }
    }
    await drainEvalQueue();
  });
});
