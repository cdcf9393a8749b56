import { beforeAll, describe, expect, it } from 'vitest';
import { useFreshResources } from '../../support/resources';
import { api } from '../../support/nomad';
import { aclForThisFile } from '../../support/nomad-acl';
import { CONTRACT, contractErrors } from '../../support/nomad-contract';

/** The configured bootstrap token listed and read as Nomad's own, and policies with empty rules. */
const { root } = aclForThisFile();
const call = (method: string, path: string, body?: unknown) => api(method, path, body, root);

beforeAll(async () => {
  await useFreshResources();
});

describe('the bootstrap token', () => {
  it('is listed first by GET /v1/acl/tokens, without its secret', async () => {
    const self = (await call('GET', '/v1/acl/token/self')).body;
    expect((await call('PUT', '/v1/acl/token', { Name: 'ci', Type: 'management' })).status).toBe(200);
    const listed = await call('GET', '/v1/acl/tokens');
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body).toHaveLength(2);
    expect(listed.body[0]).toMatchObject({ AccessorID: self.AccessorID, Name: 'Bootstrap Token', Type: 'management', Policies: null, Roles: null, Global: true, ExpirationTime: null });
    expect(listed.body[0]).not.toHaveProperty('SecretID');
    expect(listed.body[1].Name).toBe('ci');
    if (CONTRACT) expect(contractErrors('GET', '/acl/tokens', listed)).toEqual([]);
  });

  it('is read by its accessor, with an empty SecretID', async () => {
    const self = (await call('GET', '/v1/acl/token/self')).body;
    const read = await call('GET', `/v1/acl/token/${self.AccessorID}`);
    expect(read.status, read.text).toBe(200);
    expect(read.body).toMatchObject({ AccessorID: self.AccessorID, SecretID: '', Name: 'Bootstrap Token', Type: 'management', Global: true });
  });
});

describe('ACL policies', () => {
  it('accept empty Rules, as Nomad’s parser does, but not rules that are only whitespace', async () => {
    const empty = await call('PUT', '/v1/acl/policy/nothing', { Name: 'nothing', Rules: '' });
    expect([empty.status, empty.text]).toEqual([200, '']);
    expect((await call('GET', '/v1/acl/policy/nothing')).body).toMatchObject({ Name: 'nothing', Rules: '' });
    const token = await call('PUT', '/v1/acl/token', { Name: 'powerless', Type: 'client', Policies: ['nothing'] });
    expect(token.status).toBe(200);
    expect((await api('GET', '/v1/jobs', undefined, { 'X-Nomad-Token': token.body.SecretID })).status).toBe(403);
    const blank = await call('PUT', '/v1/acl/policy/blank', { Name: 'blank', Rules: '  \n' });
    expect(blank.status).toBe(400);
  });
});
