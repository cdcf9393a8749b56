import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';
import { aclForThisFile, clientToken } from '../../support/nomad-acl';
import { CONTRACT, contractErrors } from '../../support/nomad-contract';

/** Nomad Variables: `/v1/vars` and `/v1/var/:path` with check-and-set, locks, ACL `variables` rules and workload access. */
const acl = aclForThisFile();
const root = acl.root;
const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = root) => api(method, path, body, headers);
let keyFile = '';

beforeAll(async () => {
  await useFreshResources();
  keyFile = join(mkdtempSync(join(tmpdir(), 'jobplane-vars-')), 'keyring', 'variables.key');
  process.env.VARIABLES_KEY_FILE = keyFile;
  expect((await call('PUT', '/v1/namespace/apps', { Description: 'apps' })).status).toBe(200);
});

describe('PUT and GET /v1/var/:path', () => {
  it('writes a variable and reads it back in Nomad’s shape, with its index', async () => {
    const put = await call('PUT', '/v1/var/app/db/config', { Items: { user: 'admin', password: 'hunter2' } });
    expect(put.status, put.text).toBe(200);
    expect(Object.keys(put.body)).toEqual(['Namespace', 'Path', 'CreateIndex', 'CreateTime', 'ModifyIndex', 'ModifyTime', 'Items']);
    expect(put.body).toMatchObject({ Namespace: 'default', Path: 'app/db/config', Items: { user: 'admin', password: 'hunter2' } });
    expect(put.body.CreateIndex).toBe(put.body.ModifyIndex);
    expect(put.headers.get('X-Nomad-Index')).toBe(String(put.body.ModifyIndex));
    expect(put.body.CreateTime).toBeGreaterThan(Date.now() * 1e6 - 60e9);
    if (CONTRACT) expect(contractErrors('PUT', '/var/{path}', put)).toEqual([]);

    const got = await call('GET', '/v1/var/app/db/config');
    expect(got.status, got.text).toBe(200);
    expect(got.body).toEqual(put.body);
    expect(got.headers.get('X-Nomad-Index')).toBe(String(put.body.ModifyIndex));
    expect(got.headers.get('X-Nomad-KnownLeader')).toBe('true');
    if (CONTRACT) expect(contractErrors('GET', '/var/{path}', got)).toEqual([]);

    const updated = await call('POST', '/v1/var/app/db/config', { Items: { user: 'root' } });
    expect(updated.body.CreateIndex).toBe(put.body.CreateIndex);
    expect(updated.body.ModifyIndex).toBeGreaterThan(put.body.ModifyIndex);
    expect((await call('GET', '/v1/var/app/db/config')).body.Items).toEqual({ user: 'root' });
  });

  it('keeps items encrypted at rest under the key file it creates, never in the clear', async () => {
    await call('PUT', '/v1/var/secret/plain', { Items: { token: 'very-secret-value-42' } });
    expect(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64')).toHaveLength(32);
    const dynamo = new DynamoDBClient({});
    const { Items } = await dynamo.send(new ScanCommand({ TableName: process.env.TABLE_NAME }));
    const stored = (Items ?? []).filter((item) => item.Path?.S === 'secret/plain');
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored[0])).not.toContain('very-secret-value-42');
    expect(JSON.stringify(stored[0])).not.toContain('token');
    expect(stored[0].Data?.S).toBeTruthy();
    dynamo.destroy();
  });

  it('reads from the namespace asked for, or the one the body names, and 404s what is not there', async () => {
    const put = await call('PUT', '/v1/var/shared/thing', { Namespace: 'apps', Items: { a: '1' } });
    expect(put.body.Namespace).toBe('apps');
    expect((await call('GET', '/v1/var/shared/thing?namespace=apps')).body.Items).toEqual({ a: '1' });
    const missing = await call('GET', '/v1/var/shared/thing');
    expect([missing.status, missing.text]).toEqual([404, 'variable not found']);
    expect(Number(missing.headers.get('X-Nomad-Index'))).toBeGreaterThan(0);
    if (CONTRACT) expect(contractErrors('GET', '/var/{path}', missing)).toEqual([]);
  });

  it('refuses what Nomad refuses, with its texts', async () => {
    const cases: [string, string, unknown, number, string][] = [
      ['PUT', '/v1/var/nomad', { Items: { a: 'b' } }, 400, '"nomad" is a reserved top-level directory path, but you may write variables to "nomad/jobs", "nomad/job-templates", or below'],
      ['PUT', '/v1/var/nomad/other', { Items: { a: 'b' } }, 400, 'only paths at "nomad/jobs" or "nomad/job-templates" and below are valid paths under the top-level "nomad" directory'],
      ['PUT', '/v1/var/nomad/job-templates', { Items: { a: 'b' } }, 400, '"nomad/job-templates" is a reserved directory path, but you may write variables at the level below it, for example, "nomad/job-templates/template-name"'],
      ['PUT', '/v1/var/a.b', { Items: { a: 'b' } }, 400, 'invalid path "a.b"'],
      ['PUT', `/v1/var/${'x'.repeat(129)}`, { Items: { a: 'b' } }, 400, `invalid path "${'x'.repeat(129)}"`],
      ['PUT', '/v1/var/ok', { Items: {} }, 400, 'variable missing required Items object'],
      ['PUT', '/v1/var/ok', { Items: { a: 1 } }, 400, 'json: cannot unmarshal number into Go struct field VariableDecrypted.Items of type string'],
      ['PUT', '/v1/var/ok', '', 400, 'Request body is empty'],
      ['PUT', '/v1/var/ok?cas=x', { Items: { a: 'b' } }, 400, 'can not parse cas: strconv.ParseUint: parsing "x": invalid syntax'],
      ['PUT', '/v1/var/ok?namespace=*', { Items: { a: 'b' } }, 400, 'can not target wildcard ("*")namespace'],
      ['PUT', '/v1/var/ok', { Items: { big: 'x'.repeat(65536) } }, 400, 'variables are limited to 64KiB in total size'],
      ['PUT', '/v1/var/ok?cas=0&lock-acquire', { Items: { a: 'b' } }, 400, "CAS can't be used with lock operations"],
      ['PUT', '/v1/var/ok?lock-acquire&lock-release', {}, 400, 'multiple lock operations'],
      ['PUT', '/v1/var/ok', { Items: { a: 'b' }, Lock: { TTL: '20s' } }, 400, 'variable should not contain lock definition'],
      ['PATCH', '/v1/var/ok', undefined, 400, 'Invalid method'],
      ['POST', '/v1/vars', undefined, 405, 'Invalid method'],
    ];
    for (const [method, path, body, status, text] of cases) {
      const answer = await call(method, path, body);
      expect([answer.status, answer.text], `${method} ${path}`).toEqual([status, text]);
    }
    expect((await call('PUT', '/v1/var/nomad/jobs/web/app/server', { Items: { a: 'b' } })).status).toBe(200);
    expect((await call('PUT', '/v1/var/nomad/job-templates/basic', { Items: { a: 'b' } })).status).toBe(200);
    expect((await call('PUT', '/v1/var/A-z_0~9/x', { Items: { a: 'b' } })).status).toBe(200);
  });
});

describe('hostile input', () => {
  it('is answered without a 500: long and broken paths, namespaces, tokens and cas values', async () => {
    const long = 'x'.repeat(5000);
    const cases: [string, string, unknown][] = [
      ['GET', `/v1/var/${long}`, undefined],
      ['GET', '/v1/var/a%ED%A0%80b', undefined],
      ['GET', `/v1/var/a?namespace=${long}`, undefined],
      ['GET', `/v1/vars?namespace=${long}&prefix=${long}`, undefined],
      ['GET', `/v1/vars?namespace=*&next_token=${long}.x`, undefined],
      ['GET', '/v1/vars?namespace=*&next_token=%ED%A0%80.x&prefix=%ED%A0%80', undefined],
      ['PUT', `/v1/var/${long}`, { Items: { a: 'b' } }],
      ['PUT', '/v1/var/a?cas=99999999999999999999999', { Items: { a: 'b' } }],
      ['DELETE', `/v1/var/${long}?cas=1`, undefined],
      ['PUT', '/v1/var/a?lock-renew', { Lock: { ID: long } }],
      ['PUT', '/v1/var/a', '{"Items":'],
      ['PUT', '/v1/var/a', '[1]'],
      ['PUT', '/v1/var/a', { Items: [] }],
      ['PUT', '/v1/var/a?lock-acquire', { Lock: 'soon' }],
    ];
    for (const [method, path, body] of cases) {
      const answer = await call(method, path, body);
      expect(answer.status, `${method} ${path.slice(0, 80)}: ${answer.text.slice(0, 200)}`).toBeLessThan(500);
    }
  });
});

describe('namespaces holding variables', () => {
  it('are deleted only once their variables are gone', async () => {
    expect((await call('PUT', '/v1/namespace/scratch', { Description: 'scratch' })).status).toBe(200);
    expect((await call('PUT', '/v1/var/tmp/x?namespace=scratch', { Items: { a: 'b' } })).status).toBe(200);
    const refused = await call('DELETE', '/v1/namespace/scratch');
    expect([refused.status, refused.text]).toEqual([400, 'namespace "scratch" contains at least one variable. All variables in namespace must be deleted before it can be deleted']);
    expect((await call('DELETE', '/v1/var/tmp/x?namespace=scratch')).status).toBe(204);
    expect((await call('DELETE', '/v1/namespace/scratch')).status).toBe(200);
  });
});

describe('check-and-set', () => {
  it('writes only at the index given, answering 409 with the variable in the way', async () => {
    const first = await call('PUT', '/v1/var/cas/one?cas=0', { Items: { v: '1' } });
    expect(first.status, first.text).toBe(200);
    const again = await call('PUT', '/v1/var/cas/one?cas=0', { Items: { v: '2' } });
    expect(again.status).toBe(409);
    expect(again.headers.get('Content-Type')).toBe('application/json');
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('X-Nomad-Index')).toBe(String(first.body.ModifyIndex));
    const stale = await call('PUT', `/v1/var/cas/one?cas=${first.body.ModifyIndex - 1}`, { Items: { v: '2' } });
    expect([stale.status, stale.body.Items]).toEqual([409, { v: '1' }]);
    const ok = await call('PUT', `/v1/var/cas/one?cas=${first.body.ModifyIndex}`, { Items: { v: '2' } });
    expect([ok.status, ok.body.Items]).toEqual([200, { v: '2' }]);
    const absent = await call('PUT', '/v1/var/cas/none?cas=5', { Items: { v: '1' } });
    expect(absent.status).toBe(409);
    expect(absent.body).toEqual({ Namespace: 'default', Path: 'cas/none', CreateIndex: 0, CreateTime: 0, ModifyIndex: 0, ModifyTime: 0 });
  });

  it('deletes with and without cas: 204, a 409 with the current variable, and nothing for a missing one', async () => {
    const put = await call('PUT', '/v1/var/cas/del', { Items: { v: '1' } });
    const wrong = await call('DELETE', `/v1/var/cas/del?cas=${put.body.ModifyIndex + 1}`);
    expect([wrong.status, wrong.body.Items]).toEqual([409, { v: '1' }]);
    const deleted = await call('DELETE', `/v1/var/cas/del?cas=${put.body.ModifyIndex}`);
    expect([deleted.status, deleted.text]).toEqual([204, '']);
    expect(Number(deleted.headers.get('X-Nomad-Index'))).toBeGreaterThan(put.body.ModifyIndex);
    if (CONTRACT) expect(contractErrors('DELETE', '/var/{path}', { ...deleted, status: 200 })).toEqual([]);
    expect((await call('GET', '/v1/var/cas/del')).status).toBe(404);
    expect((await call('DELETE', '/v1/var/cas/del')).status).toBe(204);
    expect((await call('DELETE', '/v1/var/cas/del?cas=0')).status).toBe(204);
  });

  it('lets exactly one of several concurrent writers at the same index win', async () => {
    const put = await call('PUT', '/v1/var/cas/race', { Items: { v: '0' } });
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => call('PUT', `/v1/var/cas/race?cas=${put.body.ModifyIndex}`, { Items: { v: String(i + 1) } })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409, 409, 409, 409]);
    const winner = answers.find((answer) => answer.status === 200)!;
    expect((await call('GET', '/v1/var/cas/race')).body.Items).toEqual(winner.body.Items);
  });
});

describe('GET /v1/vars', () => {
  beforeAll(async () => {
    for (const path of ['list/a', 'list/b', 'list/c', 'list/d']) await call('PUT', `/v1/var/${path}`, { Items: { k: path } });
    await call('PUT', '/v1/var/list/e?namespace=apps', { Items: { k: 'e' } });
  });

  it('lists metadata stubs by prefix in path order, without items', async () => {
    const listed = await call('GET', '/v1/vars?prefix=list/');
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.map((stub: any) => stub.Path)).toEqual(['list/a', 'list/b', 'list/c', 'list/d']);
    expect(Object.keys(listed.body[0])).toEqual(['Namespace', 'Path', 'CreateIndex', 'CreateTime', 'ModifyIndex', 'ModifyTime']);
    expect(Number(listed.headers.get('X-Nomad-Index'))).toBeGreaterThanOrEqual(Math.max(...listed.body.map((stub: any) => stub.ModifyIndex)));
    if (CONTRACT) expect(contractErrors('GET', '/vars', listed)).toEqual([]);
  });

  it('pages with per_page and next_token as <namespace>.<path>', async () => {
    const first = await call('GET', '/v1/vars?prefix=list/&per_page=3');
    expect(first.body.map((stub: any) => stub.Path)).toEqual(['list/a', 'list/b', 'list/c']);
    expect(first.headers.get('X-Nomad-NextToken')).toBe('default.list/d');
    const second = await call('GET', '/v1/vars?prefix=list/&per_page=3&next_token=default.list/d');
    expect(second.body.map((stub: any) => stub.Path)).toEqual(['list/d']);
    expect(second.headers.get('X-Nomad-NextToken')).toBeNull();
  });

  it('lists every namespace with namespace=*, and filters', async () => {
    const all = await call('GET', '/v1/vars?namespace=*&prefix=list/');
    expect(all.body.map((stub: any) => `${stub.Namespace}.${stub.Path}`)).toEqual(['apps.list/e', 'default.list/a', 'default.list/b', 'default.list/c', 'default.list/d']);
    const paged = await call('GET', '/v1/vars?namespace=*&prefix=list/&per_page=2&next_token=default.list/b');
    expect(paged.body.map((stub: any) => stub.Path)).toEqual(['list/b', 'list/c']);
    expect(paged.headers.get('X-Nomad-NextToken')).toBe('default.list/d');
    const filtered = await call('GET', `/v1/vars?namespace=*&filter=${encodeURIComponent('Path == "list/c" or Path == "list/e"')}`);
    expect(filtered.body.map((stub: any) => stub.Path)).toEqual(['list/e', 'list/c']);
    const bad = await call('GET', `/v1/vars?filter=${encodeURIComponent('Path ==')}`);
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/^failed to create result paginator: failed to read filter expression: /);
  });

  it('answers a blocking query when a variable changes, deletions included', async () => {
    const listed = await call('GET', '/v1/vars?prefix=list/');
    const index = listed.headers.get('X-Nomad-Index');
    const started = Date.now();
    const waiting = call('GET', `/v1/vars?prefix=list/&index=${index}&wait=20s`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await call('DELETE', '/v1/var/list/a');
    const answered = await waiting;
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(answered.body.map((stub: any) => stub.Path)).toEqual(['list/b', 'list/c', 'list/d']);
    expect(Number(answered.headers.get('X-Nomad-Index'))).toBeGreaterThan(Number(index));

    const one = await call('GET', '/v1/var/list/b');
    const blocked = call('GET', `/v1/var/list/b?index=${one.body.ModifyIndex}&wait=20s`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await call('PUT', '/v1/var/list/b', { Items: { k: 'changed' } });
    expect((await blocked).body.Items).toEqual({ k: 'changed' });
  });
});

describe('locks', () => {
  it('acquires, refuses others, renews, and releases keeping the items', async () => {
    const acquired = await call('PUT', '/v1/var/locks/leader?lock-acquire', { Items: { holder: 'me' }, Lock: { TTL: '20s' } });
    expect(acquired.status, acquired.text).toBe(200);
    expect(acquired.body.Lock).toEqual({ TTL: '20s', LockDelay: '15s', ID: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(Object.keys(acquired.body)).toEqual(['Namespace', 'Path', 'Lock', 'CreateIndex', 'CreateTime', 'ModifyIndex', 'ModifyTime', 'Items']);
    const lockId = acquired.body.Lock.ID;

    const zero = { Namespace: 'default', Path: 'locks/leader', CreateIndex: 0, CreateTime: 0, ModifyIndex: 0, ModifyTime: 0 };
    const other = await call('PUT', '/v1/var/locks/leader?lock-acquire', { Lock: {} });
    expect([other.status, other.body]).toEqual([409, zero]);
    const overwrite = await call('PUT', '/v1/var/locks/leader', { Items: { holder: 'you' } });
    expect([overwrite.status, overwrite.body]).toEqual([409, zero]);
    const remove = await call('DELETE', '/v1/var/locks/leader');
    expect(remove.status).toBe(409);
    const byHolder = await call('PUT', '/v1/var/locks/leader', { Items: { holder: 'me', term: '2' }, Lock: { ID: lockId } });
    expect(byHolder.status, byHolder.text).toBe(200);

    const renewed = await call('PUT', '/v1/var/locks/leader?lock-renew', { Lock: { ID: lockId } });
    expect(renewed.status, renewed.text).toBe(200);
    expect(renewed.body).toMatchObject({ Namespace: 'default', Path: 'locks/leader', Lock: { ID: lockId, TTL: '20s', LockDelay: '15s' } });
    expect(renewed.body).not.toHaveProperty('Items');
    const wrongRenew = await call('PUT', '/v1/var/locks/leader?lock-renew', { Lock: { ID: 'not-mine' } });
    expect([wrongRenew.status, wrongRenew.text]).toEqual([409, 'attempting to modify locked variable']);
    const noId = await call('PUT', '/v1/var/locks/leader?lock-renew', { Lock: {} });
    expect([noId.status, noId.text]).toEqual([400, '1 error occurred:\n\t* missing lock ID\n\n']);

    const wrongRelease = await call('PUT', '/v1/var/locks/leader?lock-release', { Lock: { ID: 'not-mine' } });
    expect([wrongRelease.status, wrongRelease.body]).toEqual([409, { ...zero, Lock: { TTL: '', LockDelay: '', ID: '' } }]);
    const released = await call('PUT', '/v1/var/locks/leader?lock-release', { Lock: { ID: lockId } });
    expect(released.status, released.text).toBe(200);
    expect(released.body).not.toHaveProperty('Lock');
    expect((await call('GET', '/v1/var/locks/leader')).body.Items).toEqual({ holder: 'me', term: '2' });
    const again = await call('PUT', '/v1/var/locks/leader?lock-release', { Lock: { ID: lockId } });
    expect([again.status, again.text]).toEqual([409, "variable doesn't hold a lock"]);
    const gone = await call('PUT', '/v1/var/locks/none?lock-release', { Lock: { ID: lockId } });
    expect([gone.status, gone.text]).toEqual([404, "variable doesn't exist"]);
    const missing = await call('PUT', '/v1/var/locks/leader?lock-release', {});
    expect([missing.status, missing.text]).toEqual([400, 'missing lock information']);
  });

  it('validates the TTL as Nomad does and shows locks to management only', async () => {
    const short = await call('PUT', '/v1/var/locks/short?lock-acquire', { Lock: { TTL: '5s' } });
    expect([short.status, short.text]).toEqual([400, '1 error occurred:\n\t* TTL must be between 10 seconds and 24 hours\n\n']);
    const badDuration = await call('PUT', '/v1/var/locks/short?lock-acquire', { Lock: { TTL: 'soon' } });
    expect([badDuration.status, badDuration.text]).toEqual([400, 'time: invalid duration "soon"']);
    const nanos = await call('PUT', '/v1/var/locks/nanos?lock-acquire', { Lock: { TTL: 90e9, LockDelay: 1e9 } });
    expect(nanos.body.Lock).toMatchObject({ TTL: '1m30s', LockDelay: '1s' });
    expect((await call('GET', '/v1/var/locks/nanos')).body.Lock).toMatchObject({ TTL: '1m30s' });
    const reader = { 'X-Nomad-Token': await clientToken(acl.bootstrap, 'locks-reader', 'namespace "default" { variables { path "locks/*" { capabilities = ["read"] } } }') };
    const read = await call('GET', '/v1/var/locks/nanos', undefined, reader);
    expect(read.status, read.text).toBe(200);
    expect(read.body).not.toHaveProperty('Lock');
    expect((await call('GET', '/v1/vars?prefix=locks/nanos', undefined, reader)).body[0]).not.toHaveProperty('Lock');
  });
});

describe('ACL variables rules', () => {
  let reader: Record<string, string>;
  let writer: Record<string, string>;
  beforeAll(async () => {
    await call('PUT', '/v1/var/team/a/one', { Items: { v: '1' } });
    await call('PUT', '/v1/var/team/b/two', { Items: { v: '2' } });
    reader = {
      'X-Nomad-Token': await clientToken(
        acl.bootstrap,
        'team-reader',
        `namespace "default" {
           policy = "read"
           variables {
             path "team/*" { capabilities = ["read"] }
             path "team/b/*" { capabilities = ["deny"] }
           }
         }`,
      ),
    };
    writer = { 'X-Nomad-Token': await clientToken(acl.bootstrap, 'team-writer', 'namespace "*" { variables { path "team/a/*" { capabilities = ["write", "destroy"] } } }') };
  });

  it('reads and lists by the closest matching path glob; deny wins there', async () => {
    expect((await call('GET', '/v1/var/team/a/one', undefined, reader)).status).toBe(200);
    const denied = await call('GET', '/v1/var/team/b/two', undefined, reader);
    expect([denied.status, denied.text]).toEqual([403, 'Permission denied']);
    expect((await call('GET', '/v1/vars?prefix=team/', undefined, reader)).body.map((stub: any) => stub.Path)).toEqual(['team/a/one']);
    expect((await call('PUT', '/v1/var/team/a/one', { Items: { v: 'x' } }, reader)).status).toBe(403);
    expect((await call('GET', '/v1/var/list/b', undefined, reader)).status).toBe(403);
  });

  it('writes and destroys only where write and destroy are granted, and redacts conflicts it cannot read', async () => {
    const written = await call('PUT', '/v1/var/team/a/three', { Items: { v: '3' } }, writer);
    expect(written.status, written.text).toBe(200);
    expect(written.body.Items).toEqual({ v: '3' });
    const conflict = await call('PUT', '/v1/var/team/a/three?cas=0', { Items: { v: '4' } }, writer);
    expect(conflict.status).toBe(409);
    expect(conflict.body).not.toHaveProperty('Items');
    expect(conflict.body.ModifyIndex).toBe(written.body.ModifyIndex);
    expect((await call('GET', '/v1/var/team/a/three', undefined, writer)).status).toBe(403);
    expect((await call('PUT', '/v1/var/team/b/x', { Items: { v: '3' } }, writer)).status).toBe(403);
    expect((await call('DELETE', '/v1/var/team/a/three', undefined, writer)).status).toBe(204);
    expect((await call('GET', '/v1/vars?namespace=*', undefined, writer)).body).toEqual([]);
  });

  it('refuses invalid variables rules with Nomad’s texts', async () => {
    const cases: [string, string][] = [
      ['namespace "default" { variables { path "x" { capabilities = ["fly"] } } }', "Invalid variable capability 'fly' in namespace default"],
      ['namespace "default" { variables { path "/x" { capabilities = ["read"] } } }', 'Invalid variable path "/x" in namespace default: cannot start with a leading \'/\'`'],
      ['namespace "default" { variables {} }', 'Invalid variable policy: no variable paths in namespace default'],
    ];
    for (const [rules, text] of cases) {
      const answer = await call('PUT', '/v1/acl/policy/bad-vars', { Name: 'bad-vars', Rules: rules });
      expect([answer.status, answer.text], rules).toEqual([400, `failed to parse rules: ${text}`]);
    }
  });
});

describe('workload access for task templates', () => {
  const node = { ...testNode(1, { NodeResources: { Cpu: { CpuShares: 4000 }, Memory: { MemoryMB: 4000 }, Disk: { DiskMB: 10_000 } } }), SecretID: 'node-secret-1' };
  let agent: Record<string, string>;
  let allocId = '';
  beforeAll(async () => {
    agent = { 'X-Nomad-Token': await clientToken(acl.bootstrap, 'agent', 'node { policy = "write" }') };
    expect((await call('PUT', '/v1/node/register', { Node: node }, agent)).status).toBe(200);
    expect((await call('POST', '/v1/jobs', { Job: serviceJob('web', 1, 100, 64) })).status).toBe(200);
    await drainEvalQueue();
    allocId = (await call('GET', '/v1/job/web/allocations')).body[0].ID;
    for (const path of ['nomad/jobs', 'nomad/jobs/web', 'nomad/jobs/web/app', 'nomad/jobs/web/app/server', 'nomad/jobs/web/other', 'nomad/jobs/db']) {
      expect((await call('PUT', `/v1/var/${path}`, { Items: { at: path } })).status).toBe(200);
    }
  });

  it('reads and lists its job’s, group’s and task’s paths with the node’s credentials and its allocation', async () => {
    const workload = { ...agent, 'X-Nomad-Node-ID': node.ID, 'X-Nomad-Node-Secret': node.SecretID, 'X-Nomad-Alloc-ID': allocId, 'X-Nomad-Task': 'server' };
    for (const path of ['nomad/jobs', 'nomad/jobs/web', 'nomad/jobs/web/app', 'nomad/jobs/web/app/server']) {
      const read = await call('GET', `/v1/var/${path}`, undefined, workload);
      expect([read.status, read.body?.Items], path).toEqual([200, { at: path }]);
    }
    for (const path of ['nomad/jobs/web/other', 'nomad/jobs/db']) {
      expect((await call('GET', `/v1/var/${path}`, undefined, workload)).status, path).toBe(403);
    }
    const listed = await call('GET', '/v1/vars?prefix=nomad/jobs', undefined, workload);
    expect(listed.body.map((stub: any) => stub.Path)).toEqual(['nomad/jobs', 'nomad/jobs/web', 'nomad/jobs/web/app', 'nomad/jobs/web/app/server']);
    expect((await call('PUT', '/v1/var/nomad/jobs/web', { Items: { a: 'b' } }, workload)).status).toBe(403);
  });

  it('is refused without the node’s secret, for a task not in the allocation, or without the agent’s token', async () => {
    const base = { 'X-Nomad-Node-ID': node.ID, 'X-Nomad-Node-Secret': node.SecretID, 'X-Nomad-Alloc-ID': allocId, 'X-Nomad-Task': 'server' };
    expect((await call('GET', '/v1/var/nomad/jobs/web', undefined, { ...agent, ...base, 'X-Nomad-Node-Secret': 'wrong' })).status).toBe(403);
    expect((await call('GET', '/v1/var/nomad/jobs/web', undefined, { ...agent, ...base, 'X-Nomad-Task': 'nope' })).status).toBe(403);
    expect((await call('GET', '/v1/var/nomad/jobs/web', undefined, base)).status).toBe(403);
    expect((await call('GET', '/v1/var/nomad/jobs/web', undefined, agent)).status).toBe(403);
  });
});
