import type { CommitRecord, JobRecord, PipelineRecord, ProjectRecord, RunnerRecord, UserRecord } from '../records';
import { batchGetItems, recordOf } from '../store/item';
import { pipelineKey } from '../store/keys';
import { getProject } from '../store/projects';
import { getCommit } from '../store/repository';
import { getRunner } from '../store/runners';
import { getUsers } from '../store/users';

/**
 * Everything the job entities embed (users, pipelines, commits, runners, projects), loaded once
 * for a whole list instead of once per job.
 */
export interface PresentContext {
  now: number;
  projects: Map<number, ProjectRecord>;
  pipelines: Map<number, PipelineRecord>;
  users: Map<number, UserRecord>;
  runners: Map<number, RunnerRecord>;
  commits: Map<string, CommitRecord>;
}

export const commitRef = (projectId: number, sha: string) => `${projectId}:${sha}`;

export async function loadPipelines(ids: Iterable<number>): Promise<Map<number, PipelineRecord>> {
  const unique = [...new Set(ids)];
  const items = await batchGetItems(unique.map(pipelineKey));
  return new Map(items.map((item) => [Number(item.id), recordOf<PipelineRecord>(item)]));
}

export async function loadContext(jobs: readonly JobRecord[], known: Partial<PresentContext> = {}): Promise<PresentContext> {
  const projects = new Map(known.projects ?? []);
  for (const projectId of new Set(jobs.map((job) => job.projectId))) {
    if (!projects.has(projectId)) {
      const project = await getProject(projectId);
      if (project) projects.set(projectId, project);
    }
  }
  const pipelineIds = new Set([...jobs.map((job) => job.pipelineId), ...jobs.flatMap((job) => (job.downstreamPipelineId ? [job.downstreamPipelineId] : []))]);
  const pipelines = new Map(known.pipelines ?? []);
  const missing = [...pipelineIds].filter((id) => !pipelines.has(id));
  for (const [id, pipeline] of await loadPipelines(missing)) pipelines.set(id, pipeline);
  for (const pipeline of pipelines.values()) {
    if (!projects.has(pipeline.projectId)) {
      const project = await getProject(pipeline.projectId);
      if (project) projects.set(project.id, project);
    }
  }
  const userIds = [...jobs.map((job) => job.userId), ...[...pipelines.values()].map((pipeline) => pipeline.userId)];
  const users = await getUsers(userIds);
  const runners = new Map<number, RunnerRecord>();
  for (const runnerId of new Set(jobs.flatMap((job) => (job.runnerId ? [job.runnerId] : [])))) {
    const runner = await getRunner(runnerId);
    if (runner) runners.set(runnerId, runner);
  }
  const commits = new Map<string, CommitRecord>();
  for (const key of new Set(jobs.map((job) => commitRef(job.projectId, job.sha)))) {
    const [projectId, sha] = key.split(':');
    const commit = await getCommit(Number(projectId), sha);
    if (commit) commits.set(key, commit);
  }
  return { now: Date.now(), projects, pipelines, users, runners, commits };
}
