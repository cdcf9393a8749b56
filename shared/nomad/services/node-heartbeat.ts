import { nextIndex } from '../../storage/index-clock';
import { notFound } from '../errors';
import { extendHeartbeat, transitionNode } from '../store/nodes';
import { unblockEvals } from '../worker/unblock';
import { currentHeartbeatTtlMs } from './heartbeat-ttl';
import { createJobEvals, jobsForNode } from './node-evals';

/**
 * A client's heartbeat, our HTTP form of Nomad's Node.UpdateStatus: it pushes the node's
 * heartbeat deadline one TTL ahead (heartbeat-ttl.ts; the periodic duties mark nodes past it down). A down node
 * that heartbeats again is ready again: system jobs are evaluated for it and blocked
 * evaluations get another try. Returns the TTL the client must heartbeat within.
 */
export interface HeartbeatResult {
  heartbeatTtlMs: number;
  index: number;
  evalIds: string[];
}

export async function heartbeatNode(nodeId: string, now = Date.now()): Promise<HeartbeatResult> {
  const index = nextIndex();
  const ttlMs = await currentHeartbeatTtlMs(now);
  const node = await extendHeartbeat(nodeId, now + ttlMs);
  if (!node) throw notFound('node not found');
  let evalIds: string[] = [];
  if (node.Status === 'down') {
    const ready = await transitionNode(nodeId, { status: 'ready', expectStatus: 'down', event: 'Node reregistered by heartbeat' }, index, now);
    if (ready) {
      const evals = await createJobEvals(await jobsForNode(ready.node, { withSystemJobs: true }), 'node-update', ready.node);
      evalIds = evals.map((evaluation) => evaluation.ID);
      await unblockEvals({ nodes: [ready.node] });
    }
  }
  return { heartbeatTtlMs: ttlMs, index, evalIds };
}
