import type { Context } from 'hono';
import { requireNode } from '../acl/guard';
import { NomadError } from '../errors';
import { findAlloc, type StoredAlloc } from '../store/allocs';
import { readNode } from '../store/nodes';

/**
 * Who may use the agent extensions: a token with `node:write` (what Nomad asks of client agents)
 * presenting the node's ID and secret (`X-Nomad-Node-ID`, `X-Nomad-Node-Secret`), as Nomad's
 * node RPCs carry the node's SecretID. An allocation named in the call must be on that node.
 */
export async function authenticateNode(headers: { nodeId?: string; secret?: string }): Promise<string> {
  if (!headers.nodeId) throw new NomadError(400, 'missing node ID (X-Nomad-Node-ID)');
  const stored = await readNode(headers.nodeId);
  if (!stored) throw new NomadError(404, `Unknown node "${headers.nodeId}"`);
  if (stored.node.SecretID && stored.node.SecretID !== headers.secret) throw new NomadError(403, 'node secret ID does not match');
  return stored.node.ID;
}

export async function requireAgentNode(c: Context): Promise<string> {
  await requireNode(c, 'write');
  return authenticateNode({ nodeId: c.req.header('X-Nomad-Node-ID'), secret: c.req.header('X-Nomad-Node-Secret') });
}

export async function nodeAlloc(nodeId: string, allocId: string): Promise<StoredAlloc> {
  const stored = await findAlloc(allocId);
  if (!stored) throw new NomadError(404, `Unknown allocation "${allocId}"`);
  if (stored.alloc.NodeID !== nodeId) throw new NomadError(403, `allocation ${allocId} is not on node ${nodeId}`);
  return stored;
}
