import type { Context, Hono } from 'hono';
import * as z from '../../util/zod';
import { findTokenByAccessor, listTokens, revokeToken } from '../../auth/store/token-store';
import { config } from '../../config';
import { nextIndex } from '../../storage/index-clock';
import { bootstrapAcl, configuredBootstrapToken } from '../acl/bootstrap';
import { permissionDenied, requestSecret, requireManagement, resolveRequest } from '../acl/guard';
import { clearResolvedTokens } from '../acl/resolve';
import { parsePolicyRules, PolicyParseError } from '../acl/policy';
import { createToken, updateToken } from '../acl/tokens';
import { deletePolicy, listPolicies, putPolicy, readPolicy } from '../store/acl-policies';
import { aclPolicyListStub, policyWire } from '../wire/acl-policy';
import { aclTokenListStub, aclTokenWire, type NomadToken } from '../wire/acl-token';
import { nomadBody, optionalNomadBody } from './body';
import { badRequest, notFound } from '../errors';
import { nomadJson, setIndex, setQueryMeta } from './respond';

/** Nomad's ACL endpoints: policies, tokens and bootstrap. With ACLs disabled they all refuse, as Nomad does. */
export const PolicyBody = z
  .object({
    Name: z.string().optional(),
    Description: z.string().optional(),
    Rules: z.string().optional(),
    JobACL: z.unknown().optional(),
  })
  .passthrough();

export const TokenBody = z
  .object({
    AccessorID: z.string().optional(),
    Name: z.string().optional(),
    Type: z.string().optional(),
    Policies: z.array(z.string()).nullish(),
    Global: z.boolean().optional(),
    ExpirationTTL: z.union([z.number(), z.string()]).optional(),
    ExpirationTime: z.string().nullish(),
  })
  .passthrough();

export const BootstrapBody = z.object({ BootstrapSecret: z.string().optional() }).passthrough();

const VALID_POLICY_NAME = /^[a-zA-Z0-9-]{1,128}$/;

function requireAclEnabled(): void {
  if (!config().aclEnabled) throw badRequest('ACL support disabled');
}

async function upsertPolicy(c: Context) {
  const name = c.req.param('name')!;
  const body = await nomadBody(c, PolicyBody);
  // Nomad's HTTP layer checks this before the request reaches the ACL checks: a missing Name mismatches too.
  if (body.Name !== name) throw badRequest('ACL policy name does not match request path');
  requireAclEnabled();
  await requireManagement(c);
  if (!VALID_POLICY_NAME.test(name)) throw badRequest(`invalid name '${name}'`);
  if ((body.Description ?? '').length > 256) throw badRequest('description longer than 256');
  let parsed;
  try {
    parsed = await parsePolicyRules(body.Rules ?? '');
  } catch (error) {
    if (error instanceof PolicyParseError) throw badRequest(`failed to parse rules: ${error.message}`);
    throw error;
  }
  const index = nextIndex();
  await putPolicy({ Name: name, Description: body.Description ?? '', Rules: body.Rules ?? '', JobACL: body.JobACL ?? null, parsed }, index);
  setIndex(c, index);
  return c.body(null, 200);
}

async function tokenSelf(c: Context) {
  requireAclEnabled();
  const resolved = await resolveRequest(c);
  const secret = requestSecret(c) ?? '';
  const bootstrap = resolved.bootstrap && configuredBootstrapToken();
  if (bootstrap) {
    setQueryMeta(c, 1);
    return nomadJson(c, aclTokenWire(bootstrap, secret));
  }
  if (!resolved.token) throw notFound('ACL token not found');
  setQueryMeta(c, resolved.token.claims.ModifyIndex);
  return nomadJson(c, aclTokenWire(resolved.token, secret));
}

export function mountAclRoutes(app: Hono): void {
  // A token or policy written here applies to this process's next request at once.
  app.use('/v1/acl/*', async (c, next) => {
    await next();
    if (c.req.method !== 'GET') clearResolvedTokens();
  });
  app.on(['PUT', 'POST'], '/v1/acl/policy/:name', upsertPolicy);

  app.get('/v1/acl/policy/:name', async (c) => {
    requireAclEnabled();
    const resolved = await resolveRequest(c);
    const name = c.req.param('name');
    if (!resolved.acl.management && !(resolved.token?.claims.Policies ?? []).includes(name)) {
      throw permissionDenied();
    }
    const policy = await readPolicy(name);
    if (!policy) throw notFound('ACL policy not found');
    setQueryMeta(c, policy.ModifyIndex);
    return nomadJson(c, policyWire(policy));
  });

  app.delete('/v1/acl/policy/:name', async (c) => {
    requireAclEnabled();
    await requireManagement(c);
    await deletePolicy(c.req.param('name'));
    const index = nextIndex();
    setIndex(c, index);
    return c.body(null, 200);
  });

  app.get('/v1/acl/policies', async (c) => {
    requireAclEnabled();
    const resolved = await resolveRequest(c);
    const own = new Set(resolved.token?.claims.Policies ?? []);
    const policies = (await listPolicies(c.req.query('prefix') || undefined)).filter(
      (policy) => resolved.acl.management || own.has(policy.Name),
    );
    setQueryMeta(c, policies.reduce((max, policy) => Math.max(max, policy.ModifyIndex), 0));
    return nomadJson(c, policies.map(aclPolicyListStub));
  });

  app.on(['PUT', 'POST'], '/v1/acl/token', async (c) => {
    requireAclEnabled();
    await requireManagement(c);
    const body = await nomadBody(c, TokenBody);
    if (body.AccessorID) {
      const token = await updateToken(body.AccessorID, body);
      setIndex(c, token.claims.ModifyIndex);
      return nomadJson(c, aclTokenWire(token));
    }
    const { token, secret } = await createToken(body);
    setIndex(c, token.claims.ModifyIndex);
    return nomadJson(c, aclTokenWire(token, secret));
  });

  app.get('/v1/acl/tokens', async (c) => {
    requireAclEnabled();
    await requireManagement(c);
    const bootstrap = configuredBootstrapToken();
    const tokens = [...(bootstrap ? [bootstrap] : []), ...((await listTokens('nomad')) as NomadToken[]).filter((token) => !token.revoked)];
    setQueryMeta(c, tokens.reduce((max, token) => Math.max(max, token.claims.ModifyIndex ?? 0), 0));
    return nomadJson(c, tokens.map(aclTokenListStub));
  });

  app.get('/v1/acl/token/self', tokenSelf);
  app.get('/v1/acl/token', tokenSelf);

  app.on(['PUT', 'POST'], '/v1/acl/token/:accessor', async (c) => {
    requireAclEnabled();
    await requireManagement(c);
    const body = await nomadBody(c, TokenBody);
    const accessor = c.req.param('accessor');
    if (body.AccessorID && body.AccessorID !== accessor) throw badRequest('Token accessor ID does not match request path');
    const token = await updateToken(accessor, body);
    setIndex(c, token.claims.ModifyIndex);
    return nomadJson(c, aclTokenWire(token));
  });

  app.get('/v1/acl/token/:accessor', async (c) => {
    requireAclEnabled();
    const resolved = await resolveRequest(c);
    const accessor = c.req.param('accessor');
    if (!resolved.acl.management && resolved.token?.accessorId !== accessor) throw permissionDenied();
    const bootstrap = configuredBootstrapToken();
    const token = accessor === bootstrap?.accessorId ? bootstrap : ((await findTokenByAccessor(accessor)) as NomadToken | undefined);
    if (!token || token.kind !== 'nomad' || token.revoked) throw notFound('ACL token not found');
    setQueryMeta(c, token.claims.ModifyIndex);
    return nomadJson(c, aclTokenWire(token));
  });

  app.delete('/v1/acl/token/:accessor', async (c) => {
    requireAclEnabled();
    await requireManagement(c);
    const accessor = c.req.param('accessor');
    const token = await findTokenByAccessor(accessor);
    if (!token || token.kind !== 'nomad' || token.revoked) throw badRequest(`Cannot delete nonexistent tokens: ${accessor}`);
    await revokeToken(token.secretHash);
    setIndex(c, nextIndex());
    return c.body(null, 200);
  });

  app.on(['PUT', 'POST'], '/v1/acl/bootstrap', async (c) => {
    requireAclEnabled();
    const body = await optionalNomadBody(c, BootstrapBody, {});
    const { token, secret } = await bootstrapAcl(body.BootstrapSecret);
    setIndex(c, token.claims.ModifyIndex);
    return nomadJson(c, aclTokenWire(token, secret));
  });
}
