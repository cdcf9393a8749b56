import { createHash, createPrivateKey, createPublicKey, randomUUID, sign } from 'node:crypto';
import { config } from '../../config';
import { expandVariables } from '../ci-config/expand-variables';
import { ROLE_NAMES } from '../auth/policy';
import type { JobRecord, PipelineRecord, ProjectRecord, RunnerRecord, UserRecord } from '../records';
import { signingKey } from '../store/signing-key';
import { fullPath } from '../store/projects';

/**
 * CI ID tokens (`id_tokens`, GitLab's `Gitlab::Ci::JwtV2`): an RS256 JWT per requested variable,
 * with GitLab's claims about the job, signed by the instance key whose public half is served at
 * `/oauth/discovery/keys` (and named by `/.well-known/openid-configuration`), so a cloud or Vault
 * that trusts this server as an OIDC issuer can verify them.
 */
const NOT_BEFORE_SECONDS = 5;
const DEFAULT_TTL_SECONDS = 5 * 60;

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export async function publicJwk(): Promise<Record<string, string>> {
  const { privateKeyPem } = await signingKey();
  const jwk = createPublicKey(createPrivateKey(privateKeyPem)).export({ format: 'jwk' }) as { kty: string; n: string; e: string };
  // The RFC 7638 thumbprint names the key.
  const kid = base64url(createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n })).digest());
  return { kty: jwk.kty, kid, e: jwk.e, n: jwk.n, use: 'sig', alg: 'RS256' };
}

export interface IdTokenInput {
  job: JobRecord;
  pipeline: PipelineRecord;
  project: ProjectRecord;
  user: UserRecord | undefined;
  runner: RunnerRecord;
  accessLevel: number;
  /** Seconds the job may run: the tokens live as long. */
  timeout: number;
  /** The job's variables, which `aud` may name. */
  variables: Record<string, string>;
}

function claims(input: IdTokenInput, aud: string | string[], now: number): Record<string, unknown> {
  const { job, pipeline, project, user, runner } = input;
  const path = fullPath(project);
  const refType = job.tag ? 'tag' : 'branch';
  const refPath = `refs/${job.tag ? 'tags' : 'heads'}/${job.ref}`;
  const host = new URL(config().externalUrl).host;
  const environment = job.definition.environment;
  return {
    namespace_id: String(project.creatorId),
    namespace_path: project.namespacePath,
    project_id: String(project.id),
    project_path: path,
    user_id: user ? String(user.id) : '',
    user_login: user?.username ?? '',
    user_email: user?.email ?? '',
    user_access_level: ROLE_NAMES[input.accessLevel] ?? null,
    pipeline_id: String(pipeline.id),
    pipeline_source: pipeline.source,
    job_id: String(job.id),
    ref: job.ref,
    ref_type: refType,
    ref_path: refPath,
    ref_protected: String(job.protectedRef),
    ...(environment ? { environment: environment.name, environment_protected: 'false', deployment_tier: environment.deploymentTier ?? 'other', environment_action: environment.action } : {}),
    runner_id: runner.id,
    runner_environment: 'self-hosted',
    sha: job.sha,
    project_visibility: project.visibility,
    ci_config_ref_uri: `${host}/${path}//${project.ciConfigPath}@${refPath}`,
    ci_config_sha: job.sha,
    jti: randomUUID(),
    iss: config().externalUrl,
    iat: now,
    nbf: now - NOT_BEFORE_SECONDS,
    exp: now + (input.timeout || DEFAULT_TTL_SECONDS),
    sub: `project_path:${path}:ref_type:${refType}:ref:${job.ref}`,
    aud,
  };
}

/** The job's `id_tokens` as variables (name → signed JWT). */
export async function idTokenVariables(input: IdTokenInput): Promise<{ key: string; value: string }[]> {
  const requested = input.job.definition.idTokens;
  if (!requested) return [];
  const [{ privateKeyPem }, jwk] = await Promise.all([signingKey(), publicJwk()]);
  const key = createPrivateKey(privateKeyPem);
  const now = Math.floor(Date.now() / 1000);
  return Object.entries(requested).map(([name, audience]) => {
    const aud = Array.isArray(audience) ? audience.map((item) => expandVariables(item, input.variables)) : expandVariables(audience, input.variables);
    const header = base64url(JSON.stringify({ kid: jwk.kid, typ: 'JWT', alg: 'RS256' }));
    const payload = base64url(JSON.stringify(claims(input, aud, now)));
    const signature = base64url(sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), key));
    return { key: name, value: `${header}.${payload}.${signature}` };
  });
}
