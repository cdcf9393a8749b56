import type { CommitRecord, JobRecord, PipelineRecord, ProjectRecord, RunnerRecord, UserRecord } from '../records';
import { getPipelines } from '../store/pipelines';
import { getProjects } from '../store/projects';
import { getCommits } from '../git/commits';
import { getRunners } from '../store/runners';
import { getUsers } from '../store/users';

/**
 * Everything the job entities embed (users, pipelines, commits, runners, projects), loaded for a
 * whole list in two rounds of BatchGets: what the jobs name, then the projects and creators of
 * their pipelines (a bridge's downstream pipeline may be another project's).
 */
export interface PresentContext {
  now: number;
  projects: Map<number, ProjectRecord>;
  pipelines: Map<number, PipelineRecord>;
  users: Map<number, UserRecord>;
  runners: Map<number, RunnerRecord>;
  /** By `commitRef`. */
  commits: Map<string, CommitRecord>;
}

function merge<K, V>(into: Map<K, V>, from: Map<K, V>): void {
  for (const [key, value] of from) into.set(key, value);
}

export async function loadContext(jobs: readonly JobRecord[], known: Partial<PresentContext> = {}): Promise<PresentContext> {
  const projects = new Map(known.projects ?? []);
  const pipelines = new Map(known.pipelines ?? []);
  const pipelineIds = jobs.flatMap((job) => (job.downstreamPipelineId ? [job.pipelineId, job.downstreamPipelineId] : [job.pipelineId]));
  const [jobProjects, jobPipelines, runners, commits] = await Promise.all([
    getProjects(jobs.map((job) => job.projectId).filter((id) => !projects.has(id))),
    getPipelines(pipelineIds.filter((id) => !pipelines.has(id))),
    getRunners(jobs.flatMap((job) => (job.runnerId ? [job.runnerId] : []))),
    getCommits(jobs),
  ]);
  merge(projects, jobProjects);
  merge(pipelines, jobPipelines);
  const [pipelineProjects, users] = await Promise.all([
    getProjects([...pipelines.values()].map((pipeline) => pipeline.projectId).filter((id) => !projects.has(id))),
    getUsers([...jobs.map((job) => job.userId), ...[...pipelines.values()].map((pipeline) => pipeline.userId)]),
  ]);
  merge(projects, pipelineProjects);
  return { now: Date.now(), projects, pipelines, users, runners, commits };
}
