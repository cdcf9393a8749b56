import type { ChangesContext } from './changes';
/**
 * A pipeline as `.gitlab-ci.yml` defines it, after `extends`, `default`, `rules` and `workflow`
 * have been applied: what pipeline creation turns into job records. Plain data, stored with jobs.
 */
export type When = 'on_success' | 'on_failure' | 'always' | 'manual' | 'delayed';

export interface ImageDefinition {
  name: string;
  entrypoint: string[] | null;
  pullPolicy: string[] | null;
}

export interface ServiceDefinition extends ImageDefinition {
  alias: string | null;
  command: string[] | null;
  variables: Record<string, string> | null;
}

export interface ArtifactsDefinition {
  name: string | null;
  paths: string[];
  exclude: string[];
  untracked: boolean;
  when: 'on_success' | 'on_failure' | 'always';
  /** As written (`1 week`, `never`); null when absent. */
  expireIn: string | null;
  public: boolean;
  /** Report type → paths (`junit: [report.xml]`). */
  reports: Record<string, string[]>;
}

export interface CacheDefinition {
  key: string;
  paths: string[];
  untracked: boolean;
  policy: 'pull-push' | 'pull' | 'push';
  when: 'on_success' | 'on_failure' | 'always';
}

export interface RetryDefinition {
  max: number;
  when: string[];
  exitCodes: number[];
}

export interface NeedDefinition {
  job: string;
  artifacts: boolean;
  optional: boolean;
}

/** `needs:project` (a job of another project's latest pipeline on `ref`) or `needs:pipeline` (a job of the parent pipeline). */
export interface CrossNeedDefinition {
  job: string;
  artifacts: boolean;
  project: string | null;
  ref: string | null;
  /** `needs:pipeline`: the upstream pipeline's id (after variable expansion, usually `$CI_PIPELINE_ID` of the parent). */
  pipeline: string | null;
}

export interface EnvironmentDefinition {
  name: string;
  url: string | null;
  action: 'start' | 'prepare' | 'stop' | 'verify' | 'access';
  onStop: string | null;
  /** As written (`1 day`), for `auto_stop_in`. */
  autoStopIn: string | null;
  deploymentTier: 'production' | 'staging' | 'testing' | 'development' | 'other' | null;
}

/** One job of a `parallel:` set: its 1-based index, the set's size, and its matrix variables. */
export interface ParallelDefinition {
  index: number;
  total: number;
}

export interface TriggerDefinition {
  /** Multi-project pipeline: the downstream project's full path. */
  project: string | null;
  branch: string | null;
  /** Child pipeline: local files of this project that make its configuration. */
  include: string[];
  /**
   * Child pipeline: every `trigger:include` entry as written, for the forms beyond plain local
   * files (`project`/`file`/`ref`, `inputs`, `artifact`/`job`); absent on definitions stored before.
   */
  includeEntries?: Record<string, unknown>[];
  strategy: 'depend' | null;
  forwardYamlVariables: boolean;
  forwardPipelineVariables: boolean;
}

export interface JobDefinition {
  name: string;
  stage: string;
  script: string[];
  beforeScript: string[];
  afterScript: string[];
  image: ImageDefinition | null;
  services: ServiceDefinition[];
  /** Job variables, already merged over the global ones the job inherits. */
  variables: Record<string, string>;
  when: When;
  /** Seconds, for `when: delayed`. */
  startIn: number | null;
  /** `allow_failure` as written; `null` means the default (true for manual jobs, else false). */
  allowFailure: boolean | null;
  allowFailureExitCodes: number[];
  /** `null`: the job follows stage order; a list (possibly empty) makes it a DAG job. */
  needs: NeedDefinition[] | null;
  dependencies: string[] | null;
  tags: string[];
  artifacts: ArtifactsDefinition | null;
  cache: CacheDefinition[];
  retry: RetryDefinition | null;
  /** Seconds. */
  timeout: number | null;
  coverage: string | null;
  trigger: TriggerDefinition | null;
  interruptible: boolean;
  /** Present on jobs that `parallel:` expanded (absent on definitions stored before it existed). */
  parallel?: ParallelDefinition | null;
  crossNeeds?: CrossNeedDefinition[];
  environment?: EnvironmentDefinition | null;
  resourceGroup?: string | null;
  hooks?: { preGetSourcesScript: string[] } | null;
  /** `id_tokens`: variable name → audience(s), as written. */
  idTokens?: Record<string, string | string[]> | null;
}

/** `workflow:auto_cancel`. */
export interface AutoCancelDefinition {
  onNewCommit: 'conservative' | 'interruptible' | 'none';
  onJobFailure: 'none' | 'all';
}

export interface PipelineDefinition {
  stages: string[];
  jobs: JobDefinition[];
  /** The pipeline's name from `workflow:name`, if any. */
  name: string | null;
  autoCancel?: AutoCancelDefinition;
}

/** What rules and predefined variables see when the pipeline is created. */
export interface PipelineContext {
  ref: string;
  tag: boolean;
  sha: string;
  source: string;
  defaultBranch: string | null;
  projectPath: string;
  /** Variables given to this pipeline (API `variables`, trigger forwarding). */
  variables: Record<string, string>;
  /** Paths in the commit, for `rules:exists`. */
  files: string[];
  /** Texts of the files `include:` names, by `includeKey` (see includes.ts `collectIncludes`). */
  includes?: Record<string, string>;
  /** Why an included file of another project could not be read, by `includeKey`. */
  includeErrors?: Record<string, string>;
  /** `inputs` for the configuration's own `spec:inputs` header (API `inputs`). */
  inputs?: Record<string, unknown>;
  /** What `rules:changes` compares with (changes.ts); absent: every `changes` clause holds. */
  changes?: ChangesContext;
}
