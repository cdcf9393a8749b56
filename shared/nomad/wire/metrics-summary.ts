import type { MetricsReading } from '../services/metrics';

/** Nomad's in-memory metrics summary (go-metrics' MetricsSummary), every figure a gauge labelled with the host. */
export interface MetricsSummary {
  Timestamp: string;
  Gauges: { Name: string; Value: number; Labels: Record<string, string> }[];
  Points: unknown[];
  Counters: unknown[];
  Samples: unknown[];
}

/** Go's time.Time String() of the 10-second interval `now` falls in, as go-metrics reports it. */
export function intervalTimestamp(now: number): string {
  const start = new Date(now - (now % 10_000));
  return `${start.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

export function metricsSummary(reading: MetricsReading): MetricsSummary {
  const labels = { host: reading.host };
  return {
    Timestamp: intervalTimestamp(reading.at),
    Gauges: reading.gauges.map(({ name, value }) => ({ Name: name, Value: value, Labels: labels })),
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
