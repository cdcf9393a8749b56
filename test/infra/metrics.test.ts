import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { METRIC, METRICS_NAMESPACE } from '../../shared/observability/metrics-names';

/** The embedded-metric-format lines the functions write (CloudWatch turns them into metrics). */
interface EmfLine {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

let written: string[] = [];
let metrics: typeof import('../../shared/observability/metrics');
beforeAll(async () => {
  // The suite turns metrics off; these tests read what Lambda would see. The unit project shares
  // modules between files, and a buffer made earlier kept the setting it was made with: a fresh copy.
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  vi.resetModules();
  metrics = await import('../../shared/observability/metrics');
});
afterEach(() => vi.restoreAllMocks());
afterAll(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

function capture(run: () => void): EmfLine[] {
  written = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return written.flatMap((text) => text.split('\n')).filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as EmfLine);
}

describe('metrics', () => {
  it('counts a request with its dialect, route and status as dimensions, at once', () => {
    const [line, ...more] = capture(() => metrics.countRequest({ dialect: 'nomad', route: 'GET /v1/jobs', status: '200' }));
    expect(more).toEqual([]);
    const [directive] = line._aws.CloudWatchMetrics;
    expect(directive.Namespace).toBe(METRICS_NAMESPACE);
    expect(directive.Metrics).toEqual([{ Name: METRIC.requests, Unit: 'Count' }]);
    expect(directive.Dimensions[0]).toEqual(expect.arrayContaining(['service', 'dialect', 'route', 'status']));
    expect(line).toMatchObject({ service: 'api', dialect: 'nomad', route: 'GET /v1/jobs', status: '200', [METRIC.requests]: 1 });
  });

  it('buffers the worker\'s values and writes them in one line per flush', () => {
    const buffered = capture(() => {
      metrics.recordEvaluation({ latencyMs: 42, queueAgeMs: 1500 });
      metrics.recordEvaluation({ latencyMs: 7 });
      metrics.countBlockedEvaluation();
      metrics.countPlacements(3);
      metrics.countPlacements(0);
    });
    expect(buffered).toEqual([]);
    const [line, ...more] = capture(() => metrics.flushMetrics('worker'));
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      service: 'worker',
      [METRIC.evaluationLatency]: [42, 7],
      [METRIC.queueAge]: 1500,
      [METRIC.blockedEvaluations]: 1,
      [METRIC.placements]: 3,
    });
    // Nothing buffered, nothing written.
    expect(capture(() => metrics.flushMetrics('worker'))).toEqual([]);
  });

  it('keeps the runner job wait for the API function\'s flush', () => {
    const [line] = capture(() => {
      metrics.recordRunnerJobWait(2500);
      metrics.flushMetrics('api');
    });
    expect(line).toMatchObject({ service: 'api', [METRIC.runnerJobWait]: 2500 });
    expect(line._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: METRIC.runnerJobWait, Unit: 'Milliseconds' }]);
  });
});
