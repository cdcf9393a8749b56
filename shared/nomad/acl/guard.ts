import type { Context } from 'hono';
import { config } from '../../config';
import { NomadError } from '../errors';
import type { NamespaceCapability } from './capabilities';
import { resolveSecret, TokenError, type ResolvedToken } from './resolve';

/**
 * ACL checks for route handlers, Nomad's and other engineers' alike:
 *
 *   await requireNamespace(c, namespace, 'read-job');            // any of the capabilities
 *   await requireNode(c, 'read');
 *   await requireManagement(c);
 *
 * The token (`X-Nomad-Token`, or `Authorization: Bearer`) is resolved once per request, on
 * first use. A secret that matches no token is 403 `ACL token not found`; a token that lacks
 * the capability is 403 `Permission denied`.
 */
const resolved = new WeakMap<Request, Promise<ResolvedToken>>();

export function requestSecret(c: Context): string | undefined {
  const header = c.req.header('X-Nomad-Token');
  if (header) return header.trim();
  const authorization = c.req.header('Authorization');
  const bearer = authorization && /^Bearer\s+(.+)$/i.exec(authorization.trim());
  return bearer ? bearer[1].trim() : undefined;
}

export async function resolveRequest(c: Context): Promise<ResolvedToken> {
  let pending = resolved.get(c.req.raw);
  if (!pending) {
    // With ACLs off every request is management's: its headers need not be read.
    pending = resolveSecret(config().aclEnabled ? requestSecret(c) : undefined);
    resolved.set(c.req.raw, pending);
  }
  try {
    return await pending;
  } catch (error) {
    if (error instanceof TokenError) throw new NomadError(403, error.message);
    throw error;
  }
}

export function permissionDenied(): NomadError {
  return new NomadError(403, 'Permission denied');
}

export async function requireNamespace(c: Context, namespace: string, ...anyOf: NamespaceCapability[]): Promise<void> {
  const { acl } = await resolveRequest(c);
  if (!acl.allowNamespace(namespace, ...anyOf)) throw permissionDenied();
}

export async function requireNode(c: Context, level: 'read' | 'write'): Promise<void> {
  if (!(await resolveRequest(c)).acl.allowNode(level)) throw permissionDenied();
}

export async function requireManagement(c: Context): Promise<void> {
  if (!(await resolveRequest(c)).acl.management) throw permissionDenied();
}
