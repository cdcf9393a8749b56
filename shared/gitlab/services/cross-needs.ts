import { can, projectAccess } from '../auth/policy';
import { expandVariables } from '../ci-config/expand-variables';
import type { CrossNeedDefinition } from '../ci-config/types';
import { downloadableArchive, jobForRef } from '../artifacts/locate';
import type { JobRecord, PipelineRecord, UserRecord } from '../records';
import { getJob } from '../store/jobs';
import { readPipelineWithJobs } from '../store/pipelines';
import { getProjectByPath } from '../store/projects';
import { getUser } from '../store/users';
import { latestJobs } from './process-pipeline';

/**
 * `needs:project` and `needs:pipeline` (GitLab's cross-pipeline dependencies): the job of another
 * project's latest successful pipeline on a ref, if the job's user may read that project's jobs,
 * or the job of an upstream pipeline of this one (a parent, or its parent), whose artifacts the
 * job downloads with its own token.
 */
function variablesOf(pipeline: PipelineRecord): Record<string, string> {
  return {
    CI_PIPELINE_ID: String(pipeline.id),
    CI_COMMIT_REF_NAME: pipeline.ref,
    CI_COMMIT_SHA: pipeline.sha,
    ...Object.fromEntries(pipeline.variables.map((variable) => [variable.key, variable.value])),
  };
}

/** The pipelines above this one (parent, grandparent), through the bridges that created them. */
async function upstreamPipelineIds(pipeline: PipelineRecord): Promise<number[]> {
  const ids: number[] = [];
  let sourceJobId = pipeline.sourceJobId;
  while (sourceJobId !== undefined && ids.length < 3) {
    const bridge = await getJob(sourceJobId);
    if (!bridge) break;
    ids.push(bridge.pipelineId);
    sourceJobId = (await readPipelineWithJobs(bridge.pipelineId))?.pipeline.sourceJobId;
  }
  return ids;
}

async function resolve(need: CrossNeedDefinition, pipeline: PipelineRecord, user: UserRecord | undefined): Promise<JobRecord | undefined> {
  const variables = variablesOf(pipeline);
  if (need.project !== null) {
    const project = await getProjectByPath(expandVariables(need.project, variables));
    if (!project || !user) return undefined;
    if (!can(await projectAccess({ kind: 'user', user, scopes: ['api'] }, project), 'read_build')) return undefined;
    return jobForRef(project.id, expandVariables(need.ref ?? '', variables), expandVariables(need.job, variables));
  }
  const id = Number(expandVariables(need.pipeline ?? '', variables));
  if (!Number.isInteger(id) || !(await upstreamPipelineIds(pipeline)).includes(id)) return undefined;
  const read = await readPipelineWithJobs(id);
  return latestJobs(read?.jobs ?? []).find((job) => job.type === 'build' && job.name === need.job && downloadableArchive(job));
}

export async function crossDependencies(job: JobRecord, pipeline: PipelineRecord, user: UserRecord | undefined): Promise<JobRecord[]> {
  const found = await Promise.all((job.definition.crossNeeds ?? []).filter((need) => need.artifacts).map((need) => resolve(need, pipeline, user)));
  return found.filter((dependency): dependency is JobRecord => dependency !== undefined);
}

/** Whether `dependent` (running) may download `job`'s artifacts through one of its cross-pipeline needs. */
export async function isCrossDependency(dependent: JobRecord, job: JobRecord): Promise<boolean> {
  if (!(dependent.definition.crossNeeds ?? []).some((need) => need.artifacts && need.job === job.name)) return false;
  const read = await readPipelineWithJobs(dependent.pipelineId);
  if (!read) return false;
  const found = await crossDependencies(dependent, read.pipeline, await getUser(dependent.userId));
  return found.some((candidate) => candidate.id === job.id);
}
