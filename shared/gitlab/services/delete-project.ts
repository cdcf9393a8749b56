import { revokeToken } from '../../auth/store/token-store';
import { S3_PREFIXES } from '../../storage/table-schema';
import { deleteObjectsUnder } from '../store/artifact-bucket';
import type { ProjectRecord } from '../records';
import { deleteProjectItems } from '../store/delete-items';
import { projectPipelineIds } from '../store/pipeline-list';
import { readPipelineWithJobs } from '../store/pipelines';
import { listProjectsBeingDeleted, unlistProject } from '../store/projects';
import { deleteRunner, listRunners, updateRunner } from '../store/runners';
import { deleteTrigger, listTriggers } from '../store/triggers';
import { destroyPipeline } from './delete-pipeline';

/**
 * `DELETE /projects/:id` (GitLab's `Projects::DestroyService`): the project disappears at once
 * (its path is freed, it leaves every list, reads answer 404), then its pipelines, jobs, traces,
 * artifacts, repository, members, runners, trigger tokens and schedules go. A deletion cut short is finished by the
 * periodic duties.
 */
export async function startProjectDeletion(project: ProjectRecord): Promise<void> {
  await unlistProject(project);
  await finishProjectDeletion(project);
}

async function finishProjectDeletion(project: ProjectRecord): Promise<void> {
  for (const pipelineId of await projectPipelineIds(project.id)) {
    const read = await readPipelineWithJobs(pipelineId);
    if (read) await destroyPipeline(read.pipeline, read.jobs);
  }
  for (const runner of await listRunners()) {
    if (!runner.projectIds.includes(project.id)) continue;
    const others = runner.projectIds.filter((id) => id !== project.id);
    if (others.length === 0) await deleteRunner(runner.id);
    else await updateRunner(runner.id, { projectIds: others });
  }
  if (project.runnersTokenHash) await revokeToken(project.runnersTokenHash).catch(() => undefined);
  // Trigger tokens have a lookup item outside the project's partition.
  for (const trigger of await listTriggers(project.id)) await deleteTrigger(trigger);
  await deleteObjectsUnder(`${S3_PREFIXES.repository}${project.id}/`);
  await deleteProjectItems(project.id);
}

/** Periodic duty: deletions that a crash or a timeout left unfinished. */
export async function finishPendingProjectDeletions(): Promise<void> {
  for (const project of await listProjectsBeingDeleted()) await finishProjectDeletion(project);
}
