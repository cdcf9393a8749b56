/**
 * What GitLab's objects are in our store (see store/keys.ts for where each lives). These are not
 * wire shapes: entities/ turns them into what the API answers. Times are unix milliseconds.
 */
import type { JobStatus } from './state/statuses';
import type { JobDefinition } from './ci-config/types';

export type AccessLevel = 10 | 20 | 30 | 40 | 50;

export interface UserRecord {
  id: number;
  username: string;
  name: string;
  email: string;
  admin: boolean;
  state: 'active' | 'blocked';
  createdAt: number;
}

export interface ProjectRecord {
  id: number;
  name: string;
  path: string;
  /** The owning namespace's path (the creator's username: we have no groups). */
  namespacePath: string;
  namespaceName: string;
  description: string | null;
  visibility: 'private' | 'internal' | 'public';
  /** GitLab's "public pipelines": guests and, on public projects, anonymous users may read jobs. */
  publicBuilds: boolean;
  defaultBranch: string | null;
  ciConfigPath: string;
  creatorId: number;
  createdAt: number;
  updatedAt: number;
  /** SHA-256 of the project's current runner registration token (`runners_token`). */
  runnersTokenHash?: string;
  /** Seconds a job may run when its own `timeout` says nothing (GitLab's default one hour). */
  buildTimeout?: number;
  ciDefaultGitDepth?: number;
  topics?: string[];
  /** Set once `DELETE /projects/:id` started: the project is gone for every reader. */
  pendingDelete?: boolean;
}

/** A git commit as the API presents it (read from the project's git repository). */
export interface CommitRecord {
  sha: string;
  parentIds: string[];
  /** The commit's root tree object. */
  treeId: string;
  title: string;
  message: string;
  authorName: string;
  authorEmail: string;
  /** ISO time with the author's offset, as git keeps it. */
  authoredDate: string;
  committerName: string;
  committerEmail: string;
  committedDate: string;
}

export type PipelineSource = 'api' | 'parent_pipeline' | 'pipeline' | 'web' | 'push' | 'trigger' | 'schedule';

export interface PipelineRecord {
  id: number;
  iid: number;
  projectId: number;
  sha: string;
  beforeSha: string;
  ref: string;
  tag: boolean;
  source: PipelineSource;
  status: JobStatus;
  userId: number;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  committedAt: number | null;
  /** Seconds the pipeline's jobs ran (union of their running periods), as GitLab counts it. */
  duration: number | null;
  stages: string[];
  /** `workflow:name`, if the configuration gives one. */
  name: string | null;
  /** Variables given when the pipeline was created (`variables` of POST /pipeline, or a trigger's). */
  variables: PipelineVariable[];
  /** The bridge job that created this pipeline (child or multi-project pipelines). */
  sourceJobId?: number;
  /** How many pipelines are above this one (0 for a pipeline no bridge created). */
  depth?: number;
  /** The pipeline schedule that created this pipeline (`source: schedule`). */
  scheduleId?: number;
  /** Bumped by every write to one of the pipeline's jobs; processing writes only on the version it read. */
  jobsVersion: number;
}

export interface PipelineVariable {
  key: string;
  value: string;
  variableType: 'env_var' | 'file';
}

/** A project's CI/CD variable (`/projects/:id/variables`). */
export interface ProjectVariableRecord {
  projectId: number;
  key: string;
  value: string;
  variableType: 'env_var' | 'file';
  protected: boolean;
  masked: boolean;
  /** Masked and never shown again through the API (`masked_and_hidden`). */
  hidden: boolean;
  /** No `$VAR` expansion inside the value. */
  raw: boolean;
  environmentScope: string;
  description: string | null;
  createdAt: number;
}

/** An instance CI/CD variable (`/admin/ci/variables`): every project's jobs get it; no environment scope. */
export type InstanceVariableRecord = Omit<ProjectVariableRecord, 'projectId' | 'environmentScope'>;

export type FailureReason = string;

export interface ArtifactRecord {
  fileType: string;
  fileFormat: string;
  filename: string;
  size: number;
  /** Object key in the bucket (shared/gitlab/artifacts/object-keys.ts). */
  objectKey?: string;
  /** SHA-256 (hex) of the file, when the uploader gave or we computed it: a repeated upload is recognised. */
  sha256?: string;
  expireAt: number | null;
}

export interface JobRecord {
  id: number;
  type: 'build' | 'bridge';
  pipelineId: number;
  projectId: number;
  name: string;
  stage: string;
  stageIdx: number;
  status: JobStatus;
  ref: string;
  tag: boolean;
  sha: string;
  /** The ref is protected (the project's default branch, which GitLab protects by default). */
  protectedRef: boolean;
  /** The user the job runs as: the pipeline's creator, or whoever played or retried it. */
  userId: number;
  definition: JobDefinition;
  /** Effective allow_failure (manual jobs default to true). */
  allowFailure: boolean;
  createdAt: number;
  updatedAt: number;
  queuedAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  scheduledAt: number | null;
  erasedAt: number | null;
  erasedBy: number | null;
  failureReason: FailureReason | null;
  exitCode: number | null;
  coverage: number | null;
  runnerId: number | null;
  /** Whether the runner that took the job cancels gracefully (`features.cancel_gracefully`). */
  runnerCancelsGracefully: boolean;
  retried: boolean;
  /** Variables given when the job was played (`job_variables_attributes`). */
  jobVariables: { key: string; value: string }[];
  artifacts: ArtifactRecord[];
  artifactsExpireAt: number | null;
  artifactsLocked: boolean;
  /** Bridges: the pipeline they created. */
  downstreamPipelineId: number | null;
  /** The job this one is a retry of. */
  retryOf: number | null;
  /** The runner said it runs with debug tracing (`debug_trace` on a trace update; GitLab's `debug_trace_enabled`). */
  debugTrace?: boolean;
}

export interface RunnerRecord {
  id: number;
  description: string;
  runnerType: 'instance_type' | 'project_type';
  projectIds: number[];
  tagList: string[];
  runUntagged: boolean;
  paused: boolean;
  locked: boolean;
  accessLevel: 'not_protected' | 'ref_protected';
  maximumTimeout: number | null;
  maintenanceNote: string | null;
  createdAt: number;
  contactedAt: number | null;
  createdBy: number | null;
  /** Changes whenever a job this runner could take becomes pending (X-GitLab-Last-Update). */
  queueValue: string;
  /** What the runner reported in `info` on its last request. */
  info: Record<string, unknown>;
}

/** A pipeline trigger token (`/projects/:id/triggers`). GitLab keeps the token readable (encrypted) to show its owner. */
export interface TriggerRecord {
  id: number;
  projectId: number;
  ownerId: number;
  description: string;
  token: string;
  createdAt: number;
  updatedAt: number;
  lastUsed: number | null;
}

/** A pipeline schedule (`/projects/:id/pipeline_schedules`), with its variables. */
export interface PipelineScheduleRecord {
  id: number;
  projectId: number;
  description: string;
  ref: string;
  cron: string;
  cronTimezone: string;
  /** When the periodic duties create its next pipeline (listed as due while active). */
  nextRunAt: number;
  active: boolean;
  ownerId: number;
  variables: PipelineVariable[];
  lastPipelineId: number | null;
  createdAt: number;
  updatedAt: number;
}
