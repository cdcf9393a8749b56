import { hostname } from 'node:os';
import { countHeartbeatingNodes, countOpenEvals } from '../store/cluster-counts';

/**
 * `/v1/metrics`: Nomad's in-memory summary (go-metrics' MetricsSummary) or Prometheus text. A
 * Lambda keeps no intervals between invocations, so the figures are gauges read at the time of
 * the request: the evaluation backlog and the watched nodes from the store, the memory of the
 * process that answers.
 */
export interface Gauge {
  Name: string;
  Value: number;
  Labels: Record<string, string>;
}

export interface MetricsSummary {
  Timestamp: string;
  Gauges: Gauge[];
  Points: unknown[];
  Counters: unknown[];
  Samples: unknown[];
}

/** Go's time.Time String() of the 10-second interval `now` falls in, as go-metrics reports it. */
export function intervalTimestamp(now: number): string {
  const start = new Date(now - (now % 10_000));
  return `${start.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

export async function collectMetrics(now = Date.now()): Promise<MetricsSummary> {
  const [ready, blocked, nodes] = await Promise.all([countOpenEvals('pending'), countOpenEvals('blocked'), countHeartbeatingNodes()]);
  const memory = process.memoryUsage();
  const labels = { host: hostname() };
  const gauges: [string, number][] = [
    ['nomad.nomad.broker.total_ready', ready],
    ['nomad.nomad.blocked_evals.total_blocked', blocked],
    ['nomad.nomad.heartbeat.active', nodes],
    ['nomad.runtime.alloc_bytes', memory.heapUsed],
    ['nomad.runtime.sys_bytes', memory.rss],
  ];
  return {
    Timestamp: intervalTimestamp(now),
    Gauges: gauges.map(([Name, Value]) => ({ Name, Value, Labels: labels })),
    Points: [],
    Counters: [],
    Samples: [],
  };
}

/** The Prometheus text exposition (version 0.0.4) of the same gauges, named as Nomad's exporter names them. */
export function prometheusText(summary: MetricsSummary): string {
  return summary.Gauges.map((gauge) => {
    const name = gauge.Name.replace(/[^a-zA-Z0-9_]/g, '_');
    const labels = Object.entries(gauge.Labels).map(([key, value]) => `${key}="${value.replace(/["\\\n]/g, (char) => (char === '\n' ? '\\n' : `\\${char}`))}"`);
    return `# HELP ${name} ${name}\n# TYPE ${name} gauge\n${name}{${labels.join(',')}} ${gauge.Value}\n`;
  }).join('');
}
