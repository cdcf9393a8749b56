import { config } from '../../config';
import { countHeartbeatingNodes } from '../store/cluster-counts';

/**
 * The heartbeat TTL a node is given when it registers or heartbeats, as Nomad's heartbeat timers
 * compute it (`lib.RateScaledInterval`): the configured TTL (HEARTBEAT_TTL_SECONDS) until the
 * cluster has more nodes than MAX_HEARTBEATS_PER_SECOND (Nomad's `max_heartbeats_per_second`, 50)
 * allow in that time; beyond, the time the nodes take to heartbeat once each at that rate, plus a
 * random stagger of up to as much again, so nodes that registered together drift apart. A
 * 5,000-node cluster gets 100–200 s, so its heartbeats, each a write of the node item and its two
 * index entries, stay near the rate instead of growing with the cluster (docs/scale.md). Nomad
 * staggers the configured TTL too; we keep it exact, so a small cluster's timers are predictable.
 */
export function rateScaledTtlMs(minTtlMs: number, maxPerSecond: number, nodes: number, random: () => number = Math.random): number {
  const scaled = maxPerSecond > 0 ? (nodes / maxPerSecond) * 1000 : 0;
  if (!(scaled > minTtlMs)) return minTtlMs;
  return Math.round(scaled + random() * scaled);
}

/** How long the count of heartbeating nodes a process holds may be used before it is read again. */
const COUNT_MAX_AGE_MS = 60_000;

let counted: { nodes: number; at: number } | undefined;
let counting: Promise<void> | undefined;

/**
 * The TTL for a node registering or heartbeating now. The count of nodes behind it is read (one
 * COUNT query per shard of the heartbeat index) at most once a minute per process; when that read
 * fails, the last count stands, or none (the configured TTL).
 */
export async function currentHeartbeatTtlMs(now = Date.now()): Promise<number> {
  if (!counted || now - counted.at > COUNT_MAX_AGE_MS) {
    counting ??= countHeartbeatingNodes()
      .then((nodes) => {
        counted = { nodes, at: Date.now() };
      })
      .catch(() => undefined)
      .finally(() => {
        counting = undefined;
      });
    await counting;
  }
  return rateScaledTtlMs(config().heartbeatTtlMs, config().maxHeartbeatsPerSecond, counted?.nodes ?? 0);
}
