import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from './metrics-names';

/**
 * The functions' CloudWatch metrics (Powertools, embedded metric format: a JSON line in the log,
 * no API call). Values are buffered and written once per invocation by `flushMetrics`; the
 * per-request count, whose dimensions differ from request to request, is one line of its own.
 * `npm start` turns them off (POWERTOOLS_METRICS_DISABLED).
 */
type Service = (typeof METRICS_SERVICE)[keyof typeof METRICS_SERVICE];

const buffers = new Map<Service, Metrics>();

function metricsOf(service: Service): Metrics {
  let metrics = buffers.get(service);
  if (!metrics) {
    metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service });
    buffers.set(service, metrics);
  }
  return metrics;
}

/** Writes what the service buffered during this invocation, if anything. */
export function flushMetrics(service: Service): void {
  const metrics = buffers.get(service);
  if (metrics?.hasStoredMetrics()) metrics.publishStoredMetrics();
}

// One instance for every request's count: `singleMetric()` would build a new one (its settings,
// its console) per request. A single-metric instance writes on `addMetric` and then forgets the
// dimensions. It is built again when POWERTOOLS_METRICS_DISABLED changes (tests turn it on).
let requestCounter: { disabled: string | undefined; metrics: Metrics } | undefined;

export function countRequest(dimensions: { dialect: string; route: string; status: string }): void {
  const disabled = process.env.POWERTOOLS_METRICS_DISABLED;
  if (!requestCounter || requestCounter.disabled !== disabled) {
    requestCounter = { disabled, metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE.api, singleMetric: true }) };
  }
  requestCounter.metrics.addDimensions(dimensions);
  requestCounter.metrics.addMetric(METRIC.requests, MetricUnit.Count, 1);
}

export function recordRunnerJobWait(ms: number): void {
  metricsOf(METRICS_SERVICE.api).addMetric(METRIC.runnerJobWait, MetricUnit.Milliseconds, Math.max(0, ms));
}

export function recordEvaluation(evaluation: { latencyMs: number; queueAgeMs?: number }): void {
  const metrics = metricsOf(METRICS_SERVICE.worker);
  metrics.addMetric(METRIC.evaluationLatency, MetricUnit.Milliseconds, evaluation.latencyMs);
  if (evaluation.queueAgeMs !== undefined) metrics.addMetric(METRIC.queueAge, MetricUnit.Milliseconds, Math.max(0, evaluation.queueAgeMs));
}

/** An evaluation that finished with allocations it could not place: it left (or stays) a blocked evaluation. */
export function countBlockedEvaluation(): void {
  metricsOf(METRICS_SERVICE.worker).addMetric(METRIC.blockedEvaluations, MetricUnit.Count, 1);
}

export function countPlacements(count: number): void {
  if (count > 0) metricsOf(METRICS_SERVICE.worker).addMetric(METRIC.placements, MetricUnit.Count, count);
}
