import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { api } from './nomad';

/**
 * Nomad ACL enforcement for the test file that calls this at its top level: on before its tests,
 * with `bootstrap` as the management token (`root` is its header), off again after them (test
 * files may share a process).
 */
export function aclForThisFile(): { bootstrap: string; root: Record<string, string> } {
  const bootstrap = randomBytes(16).toString('hex');
  const keys = ['ACL_ENABLED', 'BOOTSTRAP_TOKEN_SHA256'] as const;
  const previous = keys.map((key) => process.env[key]);
  beforeAll(() => {
    process.env.ACL_ENABLED = 'true';
    process.env.BOOTSTRAP_TOKEN_SHA256 = createHash('sha256').update(bootstrap).digest('hex');
  });
  afterAll(() => {
    keys.forEach((key, i) => {
      if (previous[i] === undefined) delete process.env[key];
      else process.env[key] = previous[i];
    });
  });
  return { bootstrap, root: { 'X-Nomad-Token': bootstrap } };
}

/** Creates a policy and a client token holding it; returns the token's secret. */
export async function clientToken(management: string, name: string, rules: string): Promise<string> {
  const policy = await api('PUT', `/v1/acl/policy/${name}`, { Name: name, Rules: rules }, { 'X-Nomad-Token': management });
  if (policy.status !== 200) throw new Error(`policy ${name}: ${policy.status} ${policy.text}`);
  const token = await api('PUT', '/v1/acl/token', { Name: name, Type: 'client', Policies: [name] }, { 'X-Nomad-Token': management });
  if (token.status !== 200) throw new Error(`token ${name}: ${token.status} ${token.text}`);
  return token.body.SecretID;
}
