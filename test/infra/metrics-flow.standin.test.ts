import type { Context as LambdaContext } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as apiHandler } from '../../functions/api';
import { METRIC, METRICS_NAMESPACE } from '../../shared/observability/metrics-names';
import { http, makeRunner, projectWithCi, requestJob, startGitLab, type GitLabServer } from '../support/gitlab';
import { api, drainEvalQueue, serviceJob, testNode } from '../support/nomad';

/**
 * The metrics the stack's dashboard reads, written by the functions as real work flows through
 * them (the API handler and the worker against the stand-ins): each is an embedded-metric-format
 * line on stdout, as CloudWatch reads it from the functions' logs.
 */
interface EmfLine {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [key: string]: unknown;
}

let server: GitLabServer;
/** Where EMF lines go while a test reads them; the setup's own lines are dropped. */
let capturing: EmfLine[] | undefined;

beforeAll(async () => {
  // The suite turns metrics off; this file reads what Lambda would see.
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: any[]) => {
    const lines = String(chunk).split('\n').filter((line) => line.includes('"CloudWatchMetrics"'));
    if (lines.length === 0) return write(chunk, ...rest);
    capturing?.push(...lines.map((line) => JSON.parse(line) as EmfLine));
    return true;
  });
  server = await startGitLab();
});
afterAll(async () => {
  await server.stop();
  vi.restoreAllMocks();
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

/** The EMF lines written while `run` runs. */
async function emfWhile(run: () => Promise<unknown>): Promise<EmfLine[]> {
  const lines: EmfLine[] = [];
  capturing = lines;
  try {
    await run();
  } finally {
    capturing = undefined;
  }
  for (const line of lines) expect(line._aws.CloudWatchMetrics[0].Namespace).toBe(METRICS_NAMESPACE);
  return lines;
}

const named = (lines: EmfLine[], metric: string) => lines.filter((line) => line._aws.CloudWatchMetrics[0].Metrics.some((m) => m.Name === metric));

/** One API Gateway (HTTP API, payload 2.0) request through the API Lambda's handler. */
async function invoke(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const [rawPath, rawQueryString = ''] = path.split('?');
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers: { host: 'api.example.com', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    requestContext: {
      domainName: 'api.example.com',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: `metrics-${Math.random().toString(36).slice(2)}`,
      stage: '$default',
      timeEpoch: Date.now(),
    },
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
  } as unknown as Parameters<typeof apiHandler>[0];
  return (await apiHandler(event, { awsRequestId: 'metrics' } as LambdaContext)) as { statusCode: number; body: string };
}

describe('metrics of real work', () => {
  it('count every API request by dialect, the dialect\'s own route pattern (not the lazy mount\'s catch-all) and status', async () => {
    const lines = await emfWhile(async () => {
      expect((await invoke('GET', '/v1/jobs', { 'X-Nomad-Token': server.root })).statusCode).toBe(200);
      // Job IDs may hold slashes: Nomad's job routes match the rest of the path themselves.
      expect((await invoke('GET', '/v1/job/missing', { 'X-Nomad-Token': server.root })).statusCode).toBe(404);
      expect((await invoke('GET', '/api/v4/user')).statusCode).toBe(401);
    });
    const requests = named(lines, METRIC.requests);
    expect(requests.map(({ dialect, route, status, service }) => ({ dialect, route, status, service }))).toEqual([
      { dialect: 'nomad', route: 'GET /v1/jobs', status: '200', service: 'api' },
      { dialect: 'nomad', route: 'GET /v1/job/*', status: '404', service: 'api' },
      { dialect: 'gitlab', route: 'GET /api/v4/user', status: '401', service: 'api' },
    ]);
    for (const line of requests) {
      expect(line[METRIC.requests]).toBe(1);
      expect(line._aws.CloudWatchMetrics[0].Dimensions[0]).toEqual(expect.arrayContaining(['service', 'dialect', 'route', 'status']));
    }
  });

  it('time evaluations, their queue wait, placements and blocked evaluations in the worker', async () => {
    const root = { 'X-Nomad-Token': server.root };
    expect((await api('PUT', '/v1/node/register', { Node: testNode(1) }, root)).status).toBe(200);
    // Two fit on the node; the third job's allocations do not, so its evaluation is blocked.
    expect((await api('POST', '/v1/jobs', { Job: serviceJob('placed', 2, 100, 64) }, root)).status).toBe(200);
    expect((await api('POST', '/v1/jobs', { Job: serviceJob('too-big', 1, 100_000, 64) }, root)).status).toBe(200);
    const lines = await emfWhile(() => drainEvalQueue());
    const worker = lines.filter((line) => line.service === 'worker');
    const values = (metric: string) => named(worker, metric).flatMap((line) => [line[metric]].flat() as number[]);
    expect(values(METRIC.evaluationLatency).length).toBeGreaterThanOrEqual(2);
    for (const ms of [...values(METRIC.evaluationLatency), ...values(METRIC.queueAge)]) expect(ms).toBeGreaterThanOrEqual(0);
    expect(values(METRIC.queueAge).length).toBe(values(METRIC.evaluationLatency).length);
    expect(values(METRIC.placements).reduce((a, b) => a + b, 0)).toBe(2);
    expect(values(METRIC.blockedEvaluations).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('record how long a CI job waited for a runner when one takes it', async () => {
    const project = await projectWithCi(server, 'waited', 'build: { script: [echo hi] }');
    const pipeline = await http(server, 'POST', `/api/v4/projects/${project.id}/pipeline`, { token: server.root, json: { ref: 'main' } });
    expect(pipeline.status, pipeline.text).toBe(201);
    const runner = await makeRunner(server);
    await new Promise((resolve) => setTimeout(resolve, 50));
    let taken = 0;
    const lines = await emfWhile(async () => {
      const answer = await invoke('POST', '/api/v4/jobs/request', {}, { token: runner.token, info: { name: 'gitlab-runner', version: '17.5.0', executor: 'shell' } });
      taken = answer.statusCode;
    });
    expect(taken).toBe(201);
    const waits = named(lines, METRIC.runnerJobWait);
    expect(waits).toHaveLength(1);
    expect(waits[0].service).toBe('api');
    expect(waits[0][METRIC.runnerJobWait]).toBeGreaterThanOrEqual(50);
    // Nothing left over for the next invocation: an idle poll writes no wait.
    const idle = await emfWhile(async () => expect((await requestJob(server, runner.token)).status).toBe(204));
    expect(named(idle, METRIC.runnerJobWait)).toEqual([]);
  });
});
