import { hostname } from 'node:os';
import { countHeartbeatingNodes, countOpenEvals } from '../store/cluster-counts';

/**
 * `/v1/metrics` (rendered by wire/metrics-summary.ts). A Lambda keeps no intervals between
 * invocations, so the figures are gauges read at the time of the request: the evaluation backlog
 * and the watched nodes from the store, the memory of the process that answers.
 */
export interface MetricsReading {
  /** Unix ms of the reading. */
  at: number;
  host: string;
  gauges: { name: string; value: number }[];
}

export async function collectMetrics(now = Date.now()): Promise<MetricsReading> {
  const [ready, blocked, nodes] = await Promise.all([countOpenEvals('pending'), countOpenEvals('blocked'), countHeartbeatingNodes()]);
  const memory = process.memoryUsage();
  const gauges: [string, number][] = [
    ['nomad.nomad.broker.total_ready', ready],
    ['nomad.nomad.blocked_evals.total_blocked', blocked],
    ['nomad.nomad.heartbeat.active', nodes],
    ['nomad.runtime.alloc_bytes', memory.heapUsed],
    ['nomad.runtime.sys_bytes', memory.rss],
  ];
  return { at: now, host: hostname(), gauges: gauges.map(([name, value]) => ({ name, value })) };
}
