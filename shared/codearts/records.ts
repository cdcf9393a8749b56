/**
 * What CodeArts Build's objects are in our store (see store/keys.ts for where each lives). A
 * build is a view over one GitLab pipeline: the record keeps CodeArts's numbers and the stop,
 * the pipeline's job says whether it runs. Times are unix milliseconds.
 */
import type { Owner } from './auth/caller';

export interface TaskRecord {
  jobId: string;
  jobName: string;
  /** The CodeArts project (`project_id`), not the IAM project of the owner. */
  codeartsProjectId: string;
  arch: string;
  owner: Owner;
  /** The create request's body as sent (steps, parameters, scms…), kept uninterpreted. */
  definition: Record<string, unknown>;
  /** The internal GitLab project whose `.gitlab-ci.yml` the steps became. */
  gitlabProjectId: number;
  /** Builds run so far: the last `build_no`. */
  buildCount: number;
  /** Build numbers whose record still says QUEUED or RUNNING (the task's `status`). */
  inFlight: number[];
  createdAt: number;
  deletedAt?: number;
}

/**
 * A build's status: QUEUED while the pipeline exists but no runner has taken the job yet, RUNNING,
 * then SUCCESS, FAILURE or ABORTED.
 */
export type BuildStatus = 'QUEUED' | 'RUNNING' | 'SUCCESS' | 'FAILURE' | 'ABORTED';

export interface RunParameter {
  name: string;
  value: string;
}

export interface BuildRecord {
  jobId: string;
  buildNo: number;
  /** record-info's `id`. */
  id: string;
  /** `build_record_id` (history's `record_id`). */
  recordId: string;
  /** `YYYYMMDD.N`, N counting the task's runs of that UTC day. */
  dailyBuildNumber: string;
  /** `execution_id`, run's `octopus_job_name`. */
  executionId: string;
  pipelineId: number;
  gitlabJobId: number;
  /**
   * QUEUED until the build is found finished (SUCCESS, FAILURE) or is stopped (ABORTED); while it
   * says QUEUED or RUNNING, the GitLab job tells where the build really is.
   */
  status: BuildStatus;
  triggerType: 'MANUAL';
  userId: string | null;
  domainId: string | null;
  parameters: RunParameter[];
  scm: { buildTag: string | null; buildCommitId: string | null };
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}
