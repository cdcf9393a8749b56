import { randomUUID } from 'node:crypto';
import { ownerOf, type Caller } from '../auth/caller';
import { invalidParameter, taskNotFound } from '../errors';
import { createTaskProject } from '../pipeline/gitlab-builds';
import { ciFile, type Step } from '../pipeline/steps-to-ci';
import type { TaskRecord } from '../records';
import { getBuilds } from '../store/builds';
import { markTaskDeleted, putTask } from '../store/tasks';
import { abortBuild } from './stop-build';
import { visibleTask } from './visible-task';

/**
 * Build tasks: created with their GitLab project (the steps as its CI file), found only by
 * callers of their IAM project (others are told the task does not exist), deleted softly.
 */
export interface NewTask {
  arch: string;
  project_id: string;
  job_name: string;
  steps: Step[];
  [field: string]: unknown;
}

/** A lowercase dashless UUIDv4, as CodeArts's job ids. */
function newJobId(): string {
  return randomUUID().replace(/-/g, '');
}

/**
 * The CI file a task's steps make (ours): its one job must stay within what the GitLab engine
 * stores per job (256 KiB), so a task whose file would not is refused when it is created, not
 * when it is run.
 */
const MAX_CI_FILE_BYTES = 200 * 1024;

export async function createTask(caller: Caller, body: NewTask): Promise<TaskRecord> {
  const jobId = newJobId();
  const ciText = ciFile(body);
  if (Buffer.byteLength(ciText) > MAX_CI_FILE_BYTES) throw invalidParameter();
  // The project first and the task last: a crash in between leaves only an unused internal project.
  const gitlabProjectId = await createTaskProject(jobId, body.job_name, ciText);
  const task: TaskRecord = {
    jobId,
    jobName: body.job_name,
    codeartsProjectId: body.project_id,
    arch: body.arch,
    owner: ownerOf(caller),
    definition: body,
    gitlabProjectId,
    buildCount: 0,
    inFlight: [],
    createdAt: Date.now(),
  };
  await putTask(task);
  return task;
}

/** Deletes the task; its builds still in flight are stopped. */
export async function deleteTask(caller: Caller, jobId: string): Promise<TaskRecord> {
  await visibleTask(caller, jobId);
  // The task as marked: no run can start after the mark, but one may have started since it was read.
  const deleted = await markTaskDeleted(jobId, Date.now());
  if (!deleted) throw taskNotFound();
  const records = new Map((await getBuilds(jobId, deleted.inFlight)).map((record) => [record.buildNo, record]));
  for (const buildNo of deleted.inFlight) await abortBuild(jobId, buildNo, records.get(buildNo));
  return deleted;
}
