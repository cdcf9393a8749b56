import { createHash, randomBytes } from 'node:crypto';
import { api } from './nomad';

/**
 * Turns Nomad ACL enforcement on for one test file, with a bootstrap management token, and
 * turns it off again afterwards (test files may share a process).
 */
export function enableAcl(): { bootstrap: string; restore: () => void } {
  const bootstrap = randomBytes(16).toString('hex');
  const previous = { ACL_ENABLED: process.env.ACL_ENABLED, BOOTSTRAP_TOKEN_SHA256: process.env.BOOTSTRAP_TOKEN_SHA256 };
  process.env.ACL_ENABLED = 'true';
  process.env.BOOTSTRAP_TOKEN_SHA256 = createHash('sha256').update(bootstrap).digest('hex');
  return {
    bootstrap,
    restore: () => {
      for (const [key, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    },
  };
}

/** Creates a policy and a client token holding it; returns the token's secret. */
export async function clientToken(management: string, name: string, rules: string): Promise<string> {
  const policy = await api('PUT', `/v1/acl/policy/${name}`, { Name: name, Rules: rules }, { 'X-Nomad-Token': management });
  if (policy.status !== 200) throw new Error(`policy ${name}: ${policy.status} ${policy.text}`);
  const token = await api('PUT', '/v1/acl/token', { Name: name, Type: 'client', Policies: [name] }, { 'X-Nomad-Token': management });
  if (token.status !== 200) throw new Error(`token ${name}: ${token.status} ${token.text}`);
  return token.body.SecretID;
}
