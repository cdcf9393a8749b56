/**
 * The runner protocol (`lib/api/ci/runner.rb`) as both ends speak it: what gitlab-runner sends to
 * `/api/v4/jobs/…` and what it gets back. The server builds its answers to these types
 * (entities/job-request.ts, artifacts/upload.ts) and reads the params named here with Grape's
 * types (http/runner-routes.ts, http/artifacts-routes.ts); the shell runner (agent/gitlab-runner/)
 * sends and reads them. Nothing here may import the server: the agent imports this module.
 */

/** Failure reasons a runner may report (`features.failure_reasons` tells it this list). */
export const RUNNER_FAILURE_REASONS = ['script_failure', 'runner_system_failure', 'unknown_failure', 'job_execution_timeout', 'stuck_or_timeout_failure', 'runner_unsupported', 'archived_failure', 'unmet_prerequisites', 'scheduler_failure', 'data_integrity_failure', 'api_failure', 'missing_dependency_failure', 'trace_size_exceeded', 'image_pull_failure'] as const;

export type RunnerFailureReason = (typeof RUNNER_FAILURE_REASONS)[number];

export type StepWhen = 'on_success' | 'on_failure' | 'always';

/**
 * `POST /jobs/request`: the runner's token, the `X-GitLab-Last-Update` value of the last empty
 * answer, and what the runner says about itself. 201 with a `JobPayload`, or 204 with a new
 * `X-GitLab-Last-Update`.
 */
export interface JobRequestParams {
  token: string;
  last_update?: string;
  info?: Record<string, unknown>;
}

export interface JobVariable {
  key: string;
  value: string;
  public: boolean;
  masked: boolean;
  file?: boolean;
  raw?: boolean;
}

export interface JobStep {
  name: string;
  script: string[];
  timeout: number;
  when: StepWhen;
  allow_failure: boolean;
}

export interface JobArtifactSpec {
  name: string | null;
  untracked: boolean;
  paths: string[];
  exclude: string[];
  when: StepWhen;
  expire_in: string | null;
  artifact_type: string;
  artifact_format: 'zip' | 'gzip' | 'raw';
}

export interface JobImage {
  name: string;
  entrypoint: string[] | null;
  ports: never[];
  executor_opts: Record<string, never>;
  pull_policy: string[] | null;
}

export interface JobService extends JobImage {
  alias: string | null;
  command: string[] | null;
  variables: { key: string; value: string }[] | null;
}

export interface JobCache {
  key: string;
  untracked: boolean;
  paths: string[];
  policy: 'pull-push' | 'pull' | 'push';
  when: StepWhen;
  fallback_keys: string[];
}

export interface JobDependency {
  id: number;
  name: string;
  token: string;
  artifacts_file?: { filename: string; size: number };
}

/** The job a runner is handed (`Entities::Ci::JobRequest::Response`). */
export interface JobPayload {
  id: number;
  token: string;
  allow_git_fetch: boolean;
  job_info: {
    id: number;
    name: string;
    stage: string;
    project_id: number;
    project_name: string;
    time_in_queue_seconds: number;
    project_jobs_running_on_instance_runners_count: string;
    queue_size: number;
    queue_depth: number;
  };
  git_info: {
    repo_url: string;
    repo_object_format: 'sha1';
    ref: string;
    sha: string;
    before_sha: string;
    ref_type: 'branch' | 'tag';
    refspecs: string[];
    depth: number;
    protected: boolean;
  };
  runner_info: { timeout: number; runner_session_url: null };
  variables: JobVariable[];
  steps: JobStep[];
  image: JobImage | null;
  services: JobService[];
  artifacts: JobArtifactSpec[];
  cache: JobCache[];
  credentials: never[];
  dependencies: JobDependency[];
  features: { trace_sections: boolean; failure_reasons: readonly RunnerFailureReason[] };
  hooks: { name: 'pre_get_sources_script'; script: string[] }[];
}

/**
 * `PUT /jobs/:id`: the job's token and, at its end, its state, failure reason and exit code; a
 * `running` update only keeps the job alive. Every answer's `Job-Status` header says what the job
 * is now (a runner aborts on `canceled` or `failed`, stops gracefully on `canceling`). The trace's
 * `PATCH /jobs/:id/trace` sends the log's bytes from where the server's last `Range: 0-<size>`
 * ended, with `Content-Range: <start>-<end>`: 202 takes them, 416 names the size the server has.
 */
export interface JobUpdateParams {
  token: string;
  state?: 'running' | 'success' | 'failed';
  failure_reason?: RunnerFailureReason;
  exit_code?: number;
  output?: { bytesize: number };
}

/** The query of `POST /jobs/:id/artifacts/authorize` and `POST /jobs/:id/artifacts`. */
export interface ArtifactUploadParams {
  token?: string;
  artifact_type?: string;
  artifact_format?: JobArtifactSpec['artifact_format'];
  expire_in?: string;
  /** `authorize` only: the size about to be sent. */
  filesize?: number;
}

/** Where `authorize` tells the runner to send the file (Workhorse's `RemoteObject`): presigned URLs. */
export interface RemoteObject {
  ID: string;
  GetURL: string;
  StoreURL: string;
  DeleteURL: string;
  MultipartUpload: { PartSize: number; PartURLs: string[]; CompleteURL: string; AbortURL: string } | null;
  CustomPutHeaders: boolean;
  PutHeaders: Record<string, string>;
  SkipDelete: boolean;
  Timeout: number;
}

export interface ArtifactsAuthorizeAnswer {
  RemoteObject: RemoteObject;
  MaximumSize: number;
}

/**
 * The form of `POST /jobs/:id/artifacts` after an authorized upload (Workhorse's `file.*`
 * fields); a runner without `authorize` sends the file itself as `file` instead.
 */
export interface ArtifactFinalizeFields {
  'file.remote_id': string;
  'file.size'?: string;
  'file.sha256'?: string;
  'file.name'?: string;
}

/** Params the server reads for a protocol request: each a name of `T` (Grape's types do the parsing). */
export type ProtocolParams<T> = { [K in keyof T]?: unknown };
