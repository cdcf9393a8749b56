/**
 * The CloudWatch names the functions publish their metrics under (Powertools, embedded metric
 * format) and the stack's dashboard and alarms read back.
 */
export const METRICS_NAMESPACE = 'jobplane';

export const METRIC = {
  /** One per HTTP request; dimensions `dialect`, `route`, `status`. */
  requests: 'Requests',
  /** Milliseconds from receiving an evaluation to finishing it (worker). */
  evaluationLatency: 'EvaluationLatency',
  /** Allocations placed by one evaluation (worker). */
  placements: 'Placements',
  /** Evaluations that could not place everything and were blocked (worker). */
  blockedEvaluations: 'BlockedEvaluations',
  /** Milliseconds an evaluation message waited in the queue before the worker took it. */
  queueAge: 'EvaluationQueueAge',
  /** Milliseconds a GitLab CI job waited between being created and a runner taking it. */
  runnerJobWait: 'RunnerJobWait',
} as const;

/** The service dimension each function publishes under. */
export const METRICS_SERVICE = { api: 'api', worker: 'worker' } as const;
