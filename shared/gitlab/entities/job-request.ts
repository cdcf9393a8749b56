import { config } from '../../config';
import { refSlug } from '../ci-config/pipeline';
import type { JobRecord, InstanceVariableRecord, PipelineRecord, ProjectRecord, ProjectVariableRecord, RunnerRecord, UserRecord, CommitRecord } from '../records';
import { fullPath } from '../store/projects';
import { reportFormat } from '../artifacts/file-types';
import { environmentSlug, tierOf } from '../state/environments';
import { iso, pageUrl } from './format';
import { RUNNER_FAILURE_REASONS, type JobArtifactSpec, type JobPayload, type JobStep, type JobVariable } from './runner-protocol';

/**
 * The job as `POST /jobs/request` hands it to a runner (`Entities::Ci::JobRequest::Response`):
 * what to run, with which variables, image, artifacts and dependencies.
 */

const DEFAULT_JOB_TIMEOUT = 3600;

export interface JobRequestInput {
  job: JobRecord;
  token: string;
  project: ProjectRecord;
  pipeline: PipelineRecord;
  commit: CommitRecord | undefined;
  user: UserRecord | undefined;
  runner: RunnerRecord;
  /** Earlier jobs whose artifacts this job downloads. */
  dependencies: JobRecord[];
  /** The instance's, then the project's CI/CD variables this job gets (later ones win). */
  ciVariables: (InstanceVariableRecord | ProjectVariableRecord)[];
  /** Variables from the `dotenv` reports of its dependencies. */
  dotenvVariables?: { key: string; value: string }[];
  /** The signed tokens of its `id_tokens`. */
  idTokens?: { key: string; value: string }[];
}

function jobTimeout(job: JobRecord, project: ProjectRecord, runner: RunnerRecord): number {
  const wanted = job.definition.timeout ?? project.buildTimeout ?? DEFAULT_JOB_TIMEOUT;
  return runner.maximumTimeout ? Math.min(wanted, runner.maximumTimeout) : wanted;
}

function predefinedVariables(input: JobRequestInput): JobVariable[] {
  const { job, project, pipeline, commit, user, runner, token } = input;
  const base = config().externalUrl;
  const server = new URL(base);
  const path = fullPath(project);
  const pub = (key: string, value: string): JobVariable => ({ key, value, public: true, masked: false });
  const variables: JobVariable[] = [
    pub('CI', 'true'),
    pub('GITLAB_CI', 'true'),
    pub('CI_SERVER_URL', base),
    pub('CI_SERVER_HOST', server.hostname),
    pub('CI_SERVER_PORT', server.port || (server.protocol === 'https:' ? '443' : '80')),
    pub('CI_SERVER_PROTOCOL', server.protocol.replace(':', '')),
    pub('CI_SERVER_NAME', 'GitLab'),
    pub('CI_API_V4_URL', `${base}/api/v4`),
    { key: 'CI_JOB_TOKEN', value: token, public: false, masked: true },
    pub('CI_JOB_ID', String(job.id)),
    pub('CI_JOB_NAME', job.name),
    pub('CI_JOB_STAGE', job.stage),
    pub('CI_JOB_URL', pageUrl(`${path}/-/jobs/${job.id}`)),
    pub('CI_JOB_STARTED_AT', iso(job.startedAt) ?? ''),
    pub('CI_JOB_TIMEOUT', String(jobTimeout(job, project, runner))),
    pub('CI_PIPELINE_ID', String(pipeline.id)),
    pub('CI_PIPELINE_IID', String(pipeline.iid)),
    pub('CI_PIPELINE_SOURCE', pipeline.source),
    pub('CI_PIPELINE_URL', pageUrl(`${path}/-/pipelines/${pipeline.id}`)),
    pub('CI_PIPELINE_CREATED_AT', iso(pipeline.createdAt) ?? ''),
    pub('CI_PROJECT_ID', String(project.id)),
    pub('CI_PROJECT_NAME', project.path),
    pub('CI_PROJECT_TITLE', project.name),
    pub('CI_PROJECT_PATH', path),
    pub('CI_PROJECT_PATH_SLUG', refSlug(path)),
    pub('CI_PROJECT_NAMESPACE', project.namespacePath),
    pub('CI_PROJECT_ROOT_NAMESPACE', project.namespacePath),
    pub('CI_PROJECT_URL', pageUrl(path)),
    pub('CI_PROJECT_VISIBILITY', project.visibility),
    pub('CI_REPOSITORY_URL', repoUrl(project, token)),
    pub('CI_COMMIT_SHA', job.sha),
    pub('CI_COMMIT_SHORT_SHA', job.sha.slice(0, 8)),
    pub('CI_COMMIT_BEFORE_SHA', pipeline.beforeSha),
    pub('CI_COMMIT_REF_NAME', job.ref),
    pub('CI_COMMIT_REF_SLUG', refSlug(job.ref)),
    pub(job.tag ? 'CI_COMMIT_TAG' : 'CI_COMMIT_BRANCH', job.ref),
    pub('CI_RUNNER_ID', String(runner.id)),
    pub('CI_RUNNER_DESCRIPTION', runner.description),
    pub('CI_RUNNER_TAGS', JSON.stringify(runner.tagList)),
    pub('CI_NODE_TOTAL', String(job.definition.parallel?.total ?? 1)),
  ];
  if (job.definition.parallel) variables.push(pub('CI_NODE_INDEX', String(job.definition.parallel.index)));
  const environment = job.definition.environment;
  if (environment) {
    variables.push(pub('CI_ENVIRONMENT_NAME', environment.name), pub('CI_ENVIRONMENT_SLUG', environmentSlug(environment.name)));
    if (environment.url) variables.push(pub('CI_ENVIRONMENT_URL', environment.url));
    variables.push(pub('CI_ENVIRONMENT_ACTION', environment.action), pub('CI_ENVIRONMENT_TIER', tierOf(environment)));
  }
  if (project.defaultBranch) variables.push(pub('CI_DEFAULT_BRANCH', project.defaultBranch));
  if (userGitDepth(input) === undefined) variables.push(pub('GIT_DEPTH', String(DEFAULT_GIT_DEPTH)));
  if (job.definition.when === 'manual') variables.push(pub('CI_JOB_MANUAL', 'true'));
  if (pipeline.source === 'trigger') variables.push(pub('CI_PIPELINE_TRIGGERED', 'true'));
  if (commit) {
    variables.push(
      pub('CI_COMMIT_MESSAGE', commit.message),
      pub('CI_COMMIT_TITLE', commit.title),
      pub('CI_COMMIT_DESCRIPTION', commit.message.split('\n').slice(1).join('\n').trim()),
      pub('CI_COMMIT_AUTHOR', `${commit.authorName} <${commit.authorEmail}>`),
      pub('CI_COMMIT_TIMESTAMP', commit.committedDate),
    );
  }
  if (user) {
    variables.push(pub('GITLAB_USER_ID', String(user.id)), pub('GITLAB_USER_LOGIN', user.username), pub('GITLAB_USER_NAME', user.name), pub('GITLAB_USER_EMAIL', user.email));
  }
  return variables;
}

function repoUrl(project: ProjectRecord, token: string): string {
  const base = new URL(config().externalUrl);
  return `${base.protocol}//gitlab-ci-token:${token}@${base.host}${base.pathname.replace(/\/$/, '')}/${fullPath(project)}.git`;
}

/** New GitLab projects fetch 50 commits (`ci_default_git_depth`). */
const DEFAULT_GIT_DEPTH = 50;

/** `GIT_DEPTH` as the job, or the pipeline, sets it. */
function userGitDepth(input: JobRequestInput): string | undefined {
  const fromPipeline = input.pipeline.variables.find((variable) => variable.key === 'GIT_DEPTH')?.value;
  return input.job.jobVariables.find((variable) => variable.key === 'GIT_DEPTH')?.value ?? fromPipeline ?? input.job.definition.variables.GIT_DEPTH;
}

function gitDepth(input: JobRequestInput): number {
  const depth = Number(userGitDepth(input) ?? DEFAULT_GIT_DEPTH);
  return Number.isInteger(depth) && depth >= 0 ? depth : DEFAULT_GIT_DEPTH;
}

/**
 * What the runner fetches (GitLab's `BuildRunnerPresenter#refspecs`): the pipeline's commit by id
 * into its pipeline ref, and the branch or tag itself, or every branch and tag for a full clone.
 */
function refspecs(job: JobRecord, pipeline: PipelineRecord, depth: number): string[] {
  const specs = [`+${job.sha}:refs/pipelines/${pipeline.id}`];
  if (depth === 0) specs.push('+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*');
  else if (job.tag) specs.push(`+refs/tags/${job.ref}:refs/tags/${job.ref}`);
  else specs.push(`+refs/heads/${job.ref}:refs/remotes/origin/${job.ref}`);
  return specs;
}

function image(definition: JobRecord['definition']['image']): JobPayload['image'] {
  if (!definition) return null;
  return { name: definition.name, entrypoint: definition.entrypoint, ports: [], executor_opts: {}, pull_policy: definition.pullPolicy };
}

function artifacts(job: JobRecord): JobArtifactSpec[] {
  const spec = job.definition.artifacts;
  if (!spec) return [];
  const items: JobArtifactSpec[] = [];
  if (spec.paths.length > 0 || spec.untracked) {
    items.push({
      name: spec.name,
      untracked: spec.untracked,
      paths: spec.paths,
      exclude: spec.exclude,
      when: spec.when,
      expire_in: spec.expireIn,
      artifact_type: 'archive',
      artifact_format: 'zip',
    });
  }
  for (const [type, paths] of Object.entries(spec.reports)) {
    items.push({
      name: type,
      untracked: false,
      paths,
      exclude: [],
      when: 'always',
      expire_in: spec.expireIn,
      artifact_type: type,
      artifact_format: reportFormat(type),
    });
  }
  return items;
}

export function jobRequestResponse(input: JobRequestInput): JobPayload {
  const { job, project, pipeline, runner, token } = input;
  const timeout = jobTimeout(job, project, runner);
  const definition = job.definition;
  const variables: JobVariable[] = [
    ...predefinedVariables(input),
    ...Object.entries(definition.variables).map(([key, value]) => ({ key, value, public: true, masked: false })),
    ...(input.dotenvVariables ?? []).map((variable) => ({ key: variable.key, value: variable.value, public: false, masked: false })),
    // Later entries win: instance and project variables override the YAML's, pipeline variables override all.
    ...input.ciVariables.map((variable) => ({
      key: variable.key,
      value: variable.value,
      public: false,
      masked: variable.masked,
      ...(variable.variableType === 'file' ? { file: true } : {}),
      ...(variable.raw ? { raw: true } : {}),
    })),
    ...pipeline.variables.map((variable) => ({
      key: variable.key,
      value: variable.value,
      public: false,
      masked: false,
      ...(variable.variableType === 'file' ? { file: true } : {}),
    })),
    ...job.jobVariables.map((variable) => ({ key: variable.key, value: variable.value, public: false, masked: false })),
    ...(input.idTokens ?? []).map((token) => ({ key: token.key, value: token.value, public: false, masked: true })),
  ];
  const steps: JobStep[] = [
    { name: 'script', script: [...definition.beforeScript, ...definition.script], timeout, when: 'on_success', allow_failure: false },
  ];
  if (definition.afterScript.length > 0) {
    steps.push({ name: 'after_script', script: definition.afterScript, timeout, when: 'always', allow_failure: true });
  }
  return {
    id: job.id,
    token,
    allow_git_fetch: true,
    job_info: {
      id: job.id,
      name: job.name,
      stage: job.stage,
      project_id: project.id,
      project_name: project.name,
      time_in_queue_seconds: job.queuedAt && job.startedAt ? Math.round((job.startedAt - job.queuedAt) / 1000) : 0,
      project_jobs_running_on_instance_runners_count: '0',
      queue_size: 0,
      queue_depth: 0,
    },
    git_info: {
      repo_url: repoUrl(project, token),
      repo_object_format: 'sha1',
      ref: job.ref,
      sha: job.sha,
      before_sha: pipeline.beforeSha,
      ref_type: job.tag ? 'tag' : 'branch',
      refspecs: refspecs(job, pipeline, gitDepth(input)),
      depth: gitDepth(input),
      protected: job.protectedRef,
    },
    runner_info: { timeout, runner_session_url: null },
    variables,
    steps,
    image: image(definition.image),
    services: definition.services.map((service) => ({
      name: service.name,
      alias: service.alias,
      entrypoint: service.entrypoint,
      command: service.command,
      ports: [],
      variables: service.variables ? Object.entries(service.variables).map(([key, value]) => ({ key, value })) : null,
      executor_opts: {},
      pull_policy: service.pullPolicy,
    })),
    artifacts: artifacts(job),
    cache: definition.cache.map((cache) => ({ key: cache.key, untracked: cache.untracked, paths: cache.paths, policy: cache.policy, when: cache.when, fallback_keys: [] })),
    credentials: [],
    dependencies: input.dependencies.map((dependency) => {
      const archive = dependency.artifacts.find((artifact) => artifact.fileType === 'archive');
      return {
        id: dependency.id,
        name: dependency.name,
        token,
        ...(archive ? { artifacts_file: { filename: archive.filename, size: archive.size } } : {}),
      };
    }),
    features: { trace_sections: true, failure_reasons: RUNNER_FAILURE_REASONS },
    hooks: definition.hooks ? [{ name: 'pre_get_sources_script', script: definition.hooks.preGetSourcesScript }] : [],
  };
}
