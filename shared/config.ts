/**
 * Settings read from the environment. The same names are set by the CDK stack on AWS and by
 * `npm start` / the test setup locally, so nothing else in `shared/` reads `process.env`. Read when
 * called, never at module load, so a setting changed at run time (tests do) takes effect.
 *
 * AWS endpoints are not settings of ours: the SDK reads `AWS_ENDPOINT_URL_DYNAMODB`,
 * `AWS_ENDPOINT_URL_SQS` and `AWS_ENDPOINT_URL_S3` itself, which is how the local stand-ins are
 * reached.
 */
export interface Config {
  /** The single DynamoDB table holding every dialect's state. */
  tableName: string;
  /** FIFO queue of Nomad evaluations, one message group per job. */
  evalQueueUrl: string;
  /**
   * FIFO queue of woken blocked evaluations (WAKE_QUEUE_URL), which the worker takes only beside
   * or after fresh work (see wakeConcurrency); unset: wakes share the evaluation queue.
   */
  wakeQueueUrl: string | undefined;
  /** Bucket for artifacts, archived traces, large job submissions and task logs. */
  bucketName: string;
  /** S3 stand-ins need path-style addressing; AWS does not. */
  s3ForcePathStyle: boolean;
  /** Nomad ACL enforcement (off by default locally, as in Nomad's dev agent). */
  aclEnabled: boolean;
  /** SHA-256 (hex) of the bootstrap management token; the token itself is never stored. */
  bootstrapTokenSha256: string | undefined;
  /** Base URL users reach the API at; used for GitLab `web_url`s and links. */
  externalUrl: string;
  /** Nomad region this control plane answers as. */
  region: string;
  /** How often a blocking query re-reads what it watches, in ms. */
  blockingPollMs: number;
  /** Longest a blocking query or log follow waits (MAX_BLOCKING_WAIT_MS; on Lambda, under its timeout); each caller has its own default. */
  maxBlockingWaitMs: number | undefined;
  /** How long a client node may go without a heartbeat before it counts as down (HEARTBEAT_TTL_SECONDS, 30); a large cluster's nodes get longer (services/heartbeat-ttl.ts). */
  heartbeatTtlMs: number;
  /** Heartbeats per second the TTL keeps a large cluster near (MAX_HEARTBEATS_PER_SECOND, 50; services/heartbeat-ttl.ts). */
  maxHeartbeatsPerSecond: number;
  /** Faults the worker injects for tests, `point=probability,…` (WORKER_FAULTS; empty: none). */
  workerFaults: string;
  /** The actions WebSocket API's URL agents connect to (ACTIONS_WEBSOCKET_URL; unset locally). */
  actionsWebSocketUrl: string | undefined;
  /** The WebSocket API's callback endpoint the relay posts frames to (ACTIONS_CALLBACK_URL). */
  actionsCallbackUrl: string | undefined;
  /** Nomad's scheduler algorithm: `binpack` (default) or `spread` (SCHEDULER_ALGORITHM). */
  schedulerAlgorithm: 'binpack' | 'spread';
  /** Largest task group `Count` a job may ask for (MAX_GROUP_COUNT, 50,000); Nomad has no bound. */
  maxGroupCount: number;
  /** Placements the worker plans and commits per slice of a large plan (WORKER_SLICE_PLACEMENTS). */
  workerSlicePlacements: number;
  /** How long one invocation works on one evaluation before it hands the rest to the next (WORKER_EVAL_BUDGET_MS). */
  workerEvalBudgetMs: number;
  /** GitLab job artifacts: size limits and the default `expire_in` (see shared/gitlab/artifacts/). */
  gitlabArtifacts: {
    /** Largest archive accepted through `authorize` (GITLAB_MAX_ARTIFACTS_SIZE_MB; GitLab's default 100). */
    maxSizeBytes: number;
    /** Largest request body of a stock runner's `POST /jobs/:id/artifacts` (GITLAB_ARTIFACTS_POST_LIMIT_BYTES). */
    postLimitBytes: number;
    /** Single files larger than this are extracted to S3 and redirected to (GITLAB_ARTIFACT_INLINE_LIMIT_BYTES). */
    inlineFileLimitBytes: number;
    /** `expire_in` when an upload gives none; `never` or `0` keeps artifacts (GITLAB_DEFAULT_ARTIFACTS_EXPIRE_IN). */
    defaultExpireIn: string;
  };
  /** Largest git push (request body) accepted over smart HTTP (GITLAB_MAX_PUSH_SIZE_MB, 100). */
  gitlabMaxPushBytes: number;
  /** Nomad Variables' root key: the stack's KMS key (VARIABLES_KMS_KEY_ID), else a local key file (VARIABLES_KEY_FILE). */
  variablesKey: { kmsKeyId: string } | { file: string };
  /**
   * How long one `GET /v1/event/stream` answer lasts: unbounded where answers stream (a local
   * server), MAX_BLOCKING_WAIT_MS on Lambda, whose answer goes out whole (EVENT_STREAM_MAX_MS overrides).
   */
  eventStreamMaxMs: number | undefined;
}

function bool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

// Each setting reads only its own variables, when it is read: a request reads a few settings many times.
const settings: Config = {
  get tableName() {
    return required('TABLE_NAME');
  },
  get evalQueueUrl() {
    return required('EVAL_QUEUE_URL');
  },
  get wakeQueueUrl() {
    return process.env.WAKE_QUEUE_URL || undefined;
  },
  get bucketName() {
    return required('BUCKET_NAME');
  },
  get s3ForcePathStyle() {
    return bool(process.env.S3_FORCE_PATH_STYLE, false);
  },
  get aclEnabled() {
    return bool(process.env.ACL_ENABLED, false);
  },
  get bootstrapTokenSha256() {
    return process.env.BOOTSTRAP_TOKEN_SHA256 || undefined;
  },
  get externalUrl() {
    return (process.env.EXTERNAL_URL ?? 'http://127.0.0.1:4646').replace(/\/$/, '');
  },
  get region() {
    return process.env.NOMAD_REGION ?? 'global';
  },
  get blockingPollMs() {
    return Number(process.env.BLOCKING_POLL_MS ?? 1000);
  },
  get maxBlockingWaitMs() {
    return process.env.MAX_BLOCKING_WAIT_MS === undefined ? undefined : Number(process.env.MAX_BLOCKING_WAIT_MS);
  },
  get heartbeatTtlMs() {
    return Number(process.env.HEARTBEAT_TTL_SECONDS ?? 30) * 1000;
  },
  get maxHeartbeatsPerSecond() {
    return Number(process.env.MAX_HEARTBEATS_PER_SECOND ?? 50);
  },
  get workerFaults() {
    return process.env.WORKER_FAULTS ?? '';
  },
  get actionsWebSocketUrl() {
    return process.env.ACTIONS_WEBSOCKET_URL;
  },
  get actionsCallbackUrl() {
    return process.env.ACTIONS_CALLBACK_URL;
  },
  get schedulerAlgorithm() {
    return process.env.SCHEDULER_ALGORITHM === 'spread' ? 'spread' : 'binpack';
  },
  get maxGroupCount() {
    return Number(process.env.MAX_GROUP_COUNT || 50_000);
  },
  get workerSlicePlacements() {
    return Math.max(1, Number(process.env.WORKER_SLICE_PLACEMENTS) || 1_000);
  },
  get workerEvalBudgetMs() {
    return Math.max(0, Number(process.env.WORKER_EVAL_BUDGET_MS) || 20_000);
  },
  get gitlabArtifacts() {
    return {
      maxSizeBytes: Number(process.env.GITLAB_MAX_ARTIFACTS_SIZE_MB ?? 100) * 1024 * 1024,
      // Lambda takes at most 6 MB per request, and API Gateway base64-encodes binary bodies.
      postLimitBytes: Number(process.env.GITLAB_ARTIFACTS_POST_LIMIT_BYTES ?? 4 * 1024 * 1024),
      inlineFileLimitBytes: Number(process.env.GITLAB_ARTIFACT_INLINE_LIMIT_BYTES ?? 4 * 1024 * 1024),
      defaultExpireIn: process.env.GITLAB_DEFAULT_ARTIFACTS_EXPIRE_IN ?? '30 days',
    };
  },
  get gitlabMaxPushBytes() {
    return Number(process.env.GITLAB_MAX_PUSH_SIZE_MB ?? 100) * 1024 * 1024;
  },
  get variablesKey() {
    return process.env.VARIABLES_KMS_KEY_ID
      ? { kmsKeyId: process.env.VARIABLES_KMS_KEY_ID }
      : { file: process.env.VARIABLES_KEY_FILE || `${process.env.DATA_DIR || '.data'}/keyring/variables.key` };
  },
  get eventStreamMaxMs() {
    return process.env.EVENT_STREAM_MAX_MS
      ? Number(process.env.EVENT_STREAM_MAX_MS)
      : process.env.AWS_LAMBDA_FUNCTION_NAME
        ? Number(process.env.MAX_BLOCKING_WAIT_MS ?? 25_000)
        : undefined;
  },
};

export function config(): Config {
  return settings;
}

/**
 * How many evaluation message groups (jobs) the worker processes at once (WORKER_CONCURRENCY,
 * default 4, at least 2 as Lambda's SQS maximum concurrency is): the CDK stack sets it as the worker
 * Lambda's reserved concurrency and its SQS event source's maximum concurrency, and `npm start`'s
 * local worker runs that many groups in parallel. Read at synth time too, so it needs none of the
 * other settings.
 */
export function workerConcurrency(): number {
  return Math.max(2, Math.floor(Number(process.env.WORKER_CONCURRENCY)) || 4);
}

/**
 * Whether the functions trace into X-Ray with Powertools Tracer: on Lambda only (the stack turns
 * active tracing on), unless POWERTOOLS_TRACE_ENABLED says otherwise; never under `npm start` or tests.
 */
export function tracingEnabled(): boolean {
  return !!process.env.AWS_EXECUTION_ENV && bool(process.env.POWERTOOLS_TRACE_ENABLED, true);
}

/**
 * How many message groups of the wake queue the worker processes at once (WAKE_CONCURRENCY,
 * default 2, Lambda's least SQS maximum concurrency): its own lane beside workerConcurrency's, so
 * a storm of woken blocked evaluations never takes a slot fresh evaluations need. The CDK stack
 * reserves both lanes for the worker; the local worker starts wakes only while no fresh
 * evaluation is queued or running.
 */
export function wakeConcurrency(): number {
  return Math.max(2, Math.floor(Number(process.env.WAKE_CONCURRENCY)) || 2);
}
