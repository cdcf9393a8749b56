import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { appendTrace, eraseTrace, readTrace, traceTail } from '../../../shared/gitlab/store/traces';
import { useFreshResources } from '../../support/resources';

/** The live trace chunk chain on DynamoDB Local. */
beforeAll(async () => {
  await useFreshResources();
});

describe('trace chunks', () => {
  it('splits large appends into items and reads them back in order', async () => {
    const big = randomBytes(700 * 1024);
    expect(await appendTrace(1, 0, big.subarray(0, 300_000))).toEqual({ appended: true, size: 300_000 });
    expect(await appendTrace(1, 300_000, big.subarray(300_000))).toEqual({ appended: true, size: big.length });
    expect((await readTrace(1)).equals(big)).toBe(true);
    expect(await appendTrace(1, 5, Buffer.from('x'))).toEqual({ appended: false, size: big.length });
  });

  it('starts over from offset 0 and after an erase', async () => {
    await appendTrace(2, 0, Buffer.from('first run'));
    await appendTrace(2, 0, Buffer.from('second'));
    expect((await readTrace(2)).toString()).toBe('second');
    await eraseTrace(2);
    expect(await traceTail(2)).toMatchObject({ size: 0 });
    expect((await readTrace(2)).toString()).toBe('');
    expect(await appendTrace(2, 3, Buffer.from('gap'))).toEqual({ appended: false, size: 0 });
    expect(await appendTrace(2, 0, Buffer.from('third'))).toEqual({ appended: true, size: 5 });
    expect(await appendTrace(2, 5, Buffer.from('!'))).toEqual({ appended: true, size: 6 });
    expect((await readTrace(2)).toString()).toBe('third!');
  });

  it('lets exactly one of concurrent appends at the same offset through', async () => {
    await appendTrace(3, 0, Buffer.from('head'));
    const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((body) => appendTrace(3, 4, Buffer.from(body))));
    expect(results.filter((result) => result.appended)).toHaveLength(1);
    expect((await readTrace(3)).length).toBe(5);
  });
});
