import { beforeAll, describe, expect, it } from 'vitest';
import { useFreshResources } from '../../support/resources';
import { api, serviceJob } from '../../support/nomad';
import { aclForThisFile, clientToken } from '../../support/nomad-acl';

const acl = aclForThisFile();
const { root } = acl;

beforeAll(async () => {
  await useFreshResources();
});

describe('ACL tokens and policies', () => {
  it('answers token/self for the bootstrap token and refuses a second bootstrap', async () => {
    const self = await api('GET', '/v1/acl/token/self', undefined, root);
    expect(self.status).toBe(200);
    expect(self.body).toMatchObject({ Type: 'management', Name: 'Bootstrap Token', SecretID: acl.bootstrap });
    const again = await api('POST', '/v1/acl/bootstrap', undefined, root);
    expect(again.status).toBe(400);
    expect(again.text).toBe('ACL bootstrap already done (reset index: 0)');
  });

  it('rejects unknown tokens, with either header', async () => {
    const wrong = await api('GET', '/v1/jobs', undefined, { 'X-Nomad-Token': 'not-a-token' });
    expect(wrong.status).toBe(403);
    expect(wrong.text).toBe('ACL token not found');
    const bearer = await api('GET', '/v1/jobs', undefined, { Authorization: `Bearer ${acl.bootstrap}` });
    expect(bearer.status).toBe(200);
  });

  it('lets anonymous requests do only what the anonymous policy allows', async () => {
    expect((await api('GET', '/v1/jobs')).status).toBe(403);
    await api('PUT', '/v1/acl/policy/anonymous', { Name: 'anonymous', Rules: 'namespace "default" { policy = "read" }' }, root);
    expect((await api('GET', '/v1/jobs')).status).toBe(200);
    expect((await api('POST', '/v1/jobs', { Job: serviceJob('anon', 1) })).text).toBe('Permission denied');
    await api('DELETE', '/v1/acl/policy/anonymous', undefined, root);
  });

  it('refuses a policy whose Name is missing or differs from the path before anything else, as Nomad does', async () => {
    const rules = 'node { policy = "read" }';
    for (const body of [{ Rules: rules }, { Name: 'other', Rules: rules }, { Name: 'Bad', Rules: 'namespace "default" { policy = "admin" }' }]) {
      const answer = await api('PUT', '/v1/acl/policy/bad', body, root);
      expect([answer.status, answer.text]).toEqual([400, 'ACL policy name does not match request path']);
    }
    // Checked before the token: an anonymous caller learns nothing more.
    const anonymous = await api('PUT', '/v1/acl/policy/bad', { Rules: rules });
    expect([anonymous.status, anonymous.text]).toEqual([400, 'ACL policy name does not match request path']);
    expect((await api('GET', '/v1/acl/policy/bad', undefined, root)).status).toBe(404);
    const matching = await api('PUT', '/v1/acl/policy/bad', { Name: 'bad', Rules: rules }, root);
    expect(matching.status).toBe(200);
    expect((await api('GET', '/v1/acl/policy/bad', undefined, root)).body).toMatchObject({ Name: 'bad', Rules: rules });
    expect((await api('DELETE', '/v1/acl/policy/bad', undefined, root)).status).toBe(200);
  });

  it('validates policies and tokens with Nomad texts', async () => {
    const badRules = await api('PUT', '/v1/acl/policy/bad', { Name: 'bad', Rules: 'namespace "default" { policy = "admin" }' }, root);
    expect(badRules.status).toBe(400);
    expect(badRules.text).toMatch(/^failed to parse rules: Invalid namespace policy/);
    const badCapability = await api('PUT', '/v1/acl/policy/bad', { Name: 'bad', Rules: 'namespace "default" { capabilities = ["fly"] }' }, root);
    expect(badCapability.status).toBe(400);
    expect(badCapability.text).toMatch(/^failed to parse rules: Invalid namespace capability 'fly'/);
    const badName = await api('PUT', '/v1/acl/policy/bad%20name', { Name: 'bad name', Rules: 'node { policy = "read" }' }, root);
    expect([badName.status, badName.text]).toEqual([400, "invalid name 'bad name'"]);
    const noPolicies = await api('PUT', '/v1/acl/token', { Type: 'client' }, root);
    expect(noPolicies.text).toBe('client token missing policies or roles');
    const badType = await api('PUT', '/v1/acl/token', { Type: 'root' }, root);
    expect(badType.text).toBe('token type must be client or management');
  });

  it('lists policies and reads tokens', async () => {
    const secret = await clientToken(acl.bootstrap, 'reader', 'namespace "default" { policy = "read" }');
    const policies = await api('GET', '/v1/acl/policies', undefined, root);
    expect(policies.body.map((p: any) => p.Name)).toContain('reader');
    const own = await api('GET', '/v1/acl/policies', undefined, { 'X-Nomad-Token': secret });
    expect(own.body.map((p: any) => p.Name)).toEqual(['reader']);
    const self = await api('GET', '/v1/acl/token/self', undefined, { 'X-Nomad-Token': secret });
    expect(self.body).toMatchObject({ Type: 'client', Policies: ['reader'], SecretID: secret });
    const byAccessor = await api('GET', `/v1/acl/token/${self.body.AccessorID}`, undefined, root);
    expect(byAccessor.body).toMatchObject({ AccessorID: self.body.AccessorID, Name: 'reader' });
    expect((await api('PUT', '/v1/acl/policy/x', { Name: 'x', Rules: 'node { policy = "read" }' }, { 'X-Nomad-Token': secret })).status).toBe(403);
    const list = await api('GET', '/v1/acl/tokens', undefined, root);
    expect(list.body.find((token: any) => token.AccessorID === self.body.AccessorID)).toMatchObject({ Name: 'reader', Type: 'client' });
    expect(list.body[0].SecretID).toBeUndefined();
    expect((await api('GET', '/v1/acl/tokens', undefined, { 'X-Nomad-Token': secret })).status).toBe(403);
    expect((await api('DELETE', `/v1/acl/token/${self.body.AccessorID}`, undefined, root)).status).toBe(200);
    expect((await api('GET', '/v1/jobs', undefined, { 'X-Nomad-Token': secret })).text).toBe('ACL token not found');
    // Nomad's words for a token that is gone (Vault's Nomad secrets engine matches them to the letter).
    const again = await api('DELETE', `/v1/acl/token/${self.body.AccessorID}`, undefined, root);
    expect([again.status, again.text]).toEqual([400, `Cannot delete nonexistent tokens: ${self.body.AccessorID}`]);
    const unknown = await api('DELETE', '/v1/acl/token/11111111-2222-3333-4444-555555555555', undefined, root);
    expect([unknown.status, unknown.text]).toEqual([400, 'Cannot delete nonexistent tokens: 11111111-2222-3333-4444-555555555555']);
  });

  it('matches namespace globs by the closest pattern, and deny wins', async () => {
    await api('PUT', '/v1/namespace/prod-web', { Name: 'prod-web' }, root);
    const secret = await clientToken(
      acl.bootstrap,
      'globs',
      'namespace "prod-*" { policy = "write" }\nnamespace "prod-w*" { policy = "read" }\nnamespace "default" { policy = "deny" }',
    );
    const headers = { 'X-Nomad-Token': secret };
    expect((await api('GET', '/v1/jobs?namespace=prod-web', undefined, headers)).status).toBe(200);
    const write = await api('POST', '/v1/jobs?namespace=prod-web', { Job: serviceJob('g', 1) }, headers);
    expect(write.status).toBe(403);
    expect((await api('GET', '/v1/jobs?namespace=default', undefined, headers)).status).toBe(403);
    const namespaces = await api('GET', '/v1/namespaces', undefined, headers);
    expect(namespaces.body.map((n: any) => n.Name)).toEqual(['prod-web']);
  });
});
