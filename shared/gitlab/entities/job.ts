import type { JobRecord } from '../records';
import { jobDuration, queuedDuration } from '../state/durations';
import { fullPath } from '../store/projects';
import { commitEntity } from './commit';
import { commitRef } from '../git/commits';
import type { PresentContext } from './context';
import { iso, pageUrl } from './format';
import { pipelineBasic } from './pipeline';
import { runnerEntity } from './runner';
import { userEntity } from './user';

/**
 * The job shapes of the Jobs API, composed as GitLab's entities are: `JobBasic` → `Job` (builds)
 * and `JobBasic` → `Bridge` (trigger jobs). The only place these wire shapes are written.
 */
function jobBasic(job: JobRecord, context: PresentContext) {
  const project = context.projects.get(job.projectId)!;
  const pipeline = context.pipelines.get(job.pipelineId);
  const user = context.users.get(job.userId);
  const commit = context.commits.get(commitRef(job.projectId, job.sha));
  const basic: Record<string, unknown> = {
    id: job.id,
    status: job.status,
    stage: job.stage,
    name: job.name,
    ref: job.ref,
    tag: job.tag,
    coverage: job.coverage,
    allow_failure: job.allowFailure,
    created_at: iso(job.createdAt),
    started_at: iso(job.startedAt),
    finished_at: iso(job.finishedAt),
    erased_at: iso(job.erasedAt),
    duration: jobDuration(job.startedAt, job.finishedAt, context.now),
    queued_duration: queuedDuration(job.queuedAt, job.startedAt, context.now),
    user: user ? userEntity(user) : null,
    commit: commit ? commitEntity(commit, fullPath(project)) : null,
    pipeline: pipeline ? pipelineBasic(pipeline, project) : null,
  };
  if (job.status === 'failed') basic.failure_reason = job.failureReason ?? 'unknown_failure';
  basic.web_url = pageUrl(`${fullPath(project)}/-/jobs/${job.id}`);
  basic.project = { ci_job_token_scope_enabled: false };
  return basic;
}

const ARTIFACT_ORDER = ['archive', 'metadata', 'trace'];

export function jobEntity(job: JobRecord, context: PresentContext) {
  const archive = job.artifacts.find((artifact) => artifact.fileType === 'archive');
  const artifacts = [...job.artifacts].sort((a, b) => {
    const rank = (type: string) => (ARTIFACT_ORDER.includes(type) ? ARTIFACT_ORDER.indexOf(type) : ARTIFACT_ORDER.length);
    return rank(a.fileType) - rank(b.fileType);
  });
  const runner = job.runnerId ? context.runners.get(job.runnerId) : undefined;
  return {
    ...jobBasic(job, context),
    ...(archive ? { artifacts_file: { filename: archive.filename, size: archive.size } } : {}),
    artifacts: artifacts.map((artifact) => ({
      file_type: artifact.fileType,
      size: artifact.size,
      filename: artifact.filename,
      file_format: artifact.fileFormat,
    })),
    runner: runner ? runnerEntity(runner, context.now) : null,
    runner_manager: null,
    artifacts_expire_at: iso(job.artifactsExpireAt),
    archived: false,
    tag_list: [...job.definition.tags].sort(),
  };
}

export function bridgeEntity(job: JobRecord, context: PresentContext) {
  const downstream = job.downstreamPipelineId ? context.pipelines.get(job.downstreamPipelineId) : undefined;
  const downstreamProject = downstream ? context.projects.get(downstream.projectId) : undefined;
  return {
    ...jobBasic(job, context),
    downstream_pipeline: downstream && downstreamProject ? pipelineBasic(downstream, downstreamProject) : null,
  };
}

/** `JobBasicWithProject` (a runner's jobs): the basic job and its project's identity. */
export function jobBasicWithProject(job: JobRecord, context: PresentContext) {
  const project = context.projects.get(job.projectId)!;
  return {
    ...jobBasic(job, context),
    project: {
      id: project.id,
      description: project.description,
      name: project.name,
      name_with_namespace: `${project.namespaceName} / ${project.name}`,
      path: project.path,
      path_with_namespace: fullPath(project),
      created_at: iso(project.createdAt),
    },
  };
}

/** Builds as `Job`, bridges as `Bridge` (play answers either). */
export function presentJob(job: JobRecord, context: PresentContext) {
  return job.type === 'bridge' ? bridgeEntity(job, context) : jobEntity(job, context);
}
