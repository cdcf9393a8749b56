import { serviceLogger } from '../../observability/logger';
import { nextIndex } from '../../storage/index-clock';
import { listDownNodes, listExpiredNodes, markLostEvals, transitionNode, type StoredNode } from '../store/nodes';
import { createJobEvals, jobsForNode } from './node-evals';

/**
 * Nodes that stop heartbeating (Nomad's heartbeat timers): past its deadline a node goes `down`,
 * and every job with allocations there gets a `node-update` evaluation, whose scheduler marks
 * them `lost` and places replacements. Marking down comes first and the evaluations second; a
 * down node still holding capacity (Used > 0) whose evaluations were not recorded, or were
 * recorded long ago, gets them again, so a crash in between loses nothing.
 */
const logger = serviceLogger('periodic-duties');

/** A down node still holding allocations after this long gets its evaluations again. */
const LOST_EVALS_RETRY_MS = 120_000;

function holdsAllocations(entry: StoredNode): boolean {
  return entry.used.CpuShares > 0 || entry.used.MemoryMB > 0 || entry.used.DiskMB > 0;
}

async function evaluateLost(entry: StoredNode): Promise<number> {
  const index = nextIndex();
  const evals = await createJobEvals(await jobsForNode(entry.node, { withSystemJobs: false }), 'node-update', entry.node);
  await markLostEvals(entry.node.ID, index);
  return evals.length;
}

export async function expireHeartbeats(now: number): Promise<{ down: number; evals: number }> {
  let down = 0;
  let evals = 0;
  const handled = new Set<string>();
  for (const entry of await listExpiredNodes(now)) {
    if (entry.node.Status === 'down') continue;
    const marked = await transitionNode(
      entry.node.ID,
      { status: 'down', description: 'node heartbeat missed', expiredBefore: now, event: 'Node heartbeat missed' },
      nextIndex(),
      now,
    );
    if (!marked) continue;
    down++;
    handled.add(marked.node.ID);
    evals += await evaluateLost(marked);
  }
  // Down nodes whose lost allocations were never (or too long ago) handed to the scheduler.
  for (const entry of await listDownNodes()) {
    if (handled.has(entry.node.ID) || !holdsAllocations(entry)) continue;
    const last = entry.lostEvalsAt ? entry.lostEvalsAt / 1000 : 0;
    if (now - last < LOST_EVALS_RETRY_MS) continue;
    evals += await evaluateLost(entry);
  }
  if (down > 0) logger.info('nodes missed their heartbeat', { down, evals });
  return { down, evals };
}
