import type { Context } from 'hono';
import { requireNamespace } from '../acl/guard';
import type { NamespaceCapability } from '../acl/capabilities';
import { badRequest } from '../errors';

/**
 * What every write to a job checks before it reaches a service: the capability for the
 * namespace the write lands in, and `sentinel-override` when the caller sets PolicyOverride.
 */
export async function requireJobWrite(c: Context, namespace: string, body: { PolicyOverride?: boolean }, ...anyOf: NamespaceCapability[]) {
  await requireNamespace(c, namespace, ...anyOf);
  if (body.PolicyOverride) await requireNamespace(c, namespace, 'sentinel-override');
}

/** `region` must be this control plane's (empty and `global` always are). */
export function checkRegion(region: string | undefined, own: string): void {
  if (region && region !== 'global' && region !== own) throw badRequest(`No path to region: ${region}`);
}
