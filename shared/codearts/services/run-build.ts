import { randomInt, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { TransactionConflict } from '../../storage/transact';
import { canSee, ownerOf, type Caller } from '../auth/caller';
import { taskNotFound } from '../errors';
import { startPipeline } from '../pipeline/gitlab-builds';
import { runVariables, utcDay, utcDayEnd } from '../pipeline/run-variables';
import type { BuildRecord, RunParameter } from '../records';
import { putBuild } from '../store/builds';
import { readRunCounters, runCounterWrites } from '../store/tasks';

/**
 * `POST /v3/jobs/build`: the next build of a task. Its number (build_no), its daily number, its
 * record and its GitLab pipeline are stored in one transaction, the counters going up by one from
 * the values read; a concurrent run of the same task makes it fail and this run reads again, so
 * numbers are never skipped or given twice, and a build never exists without its pipeline.
 */
export interface RunInput {
  parameters: RunParameter[];
  scm: BuildRecord['scm'];
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `j_Oaqg3PCN`: the execution id (octopus job name) CodeArts gives each build. */
export function executionId(): string {
  return `j_${Array.from({ length: 8 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('')}`;
}

export async function runBuild(caller: Caller, jobId: string, input: RunInput): Promise<BuildRecord> {
  const owner = ownerOf(caller);
  for (let attempt = 0; attempt < 20; attempt++) {
    const now = Date.now();
    const day = utcDay(now);
    const { task, dailyCount } = await readRunCounters(jobId, day);
    if (!task || task.deletedAt !== undefined || !canSee(caller, task.owner)) throw taskNotFound();
    const buildNo = task.buildCount + 1;
    const dailyBuildNumber = `${day}.${dailyCount + 1}`;
    const variables = runVariables({
      buildNo,
      dailyBuildNumber,
      createdAt: now,
      codeartsProjectId: task.codeartsProjectId,
      jobName: task.jobName,
      executor: caller.kind === 'iam' ? caller.claims.user_name : 'admin',
      parameters: input.parameters,
      scm: input.scm,
    });
    let record: BuildRecord | undefined;
    try {
      await startPipeline(task.gitlabProjectId, variables, (pipeline, job) => {
        record = {
          jobId,
          buildNo,
          id: randomUUID(),
          recordId: randomUUID(),
          dailyBuildNumber,
          executionId: executionId(),
          pipelineId: pipeline.id,
          gitlabJobId: job.id,
          status: 'QUEUED',
          triggerType: 'MANUAL',
          userId: owner.userId,
          domainId: task.owner.domainId,
          parameters: input.parameters,
          scm: input.scm,
          createdAt: now,
          startedAt: null,
          finishedAt: null,
        };
        return [...runCounterWrites(jobId, { buildCount: task.buildCount, day, dailyCount }, buildNo, utcDayEnd(now)), putBuild(record)];
      }, { branch: variables.codeBranch, tag: input.scm.buildTag, commit: input.scm.buildCommitId });
      return record!;
    } catch (error) {
      if (!(error instanceof TransactionConflict)) throw error;
      await sleep(randomInt(5, 25 * (attempt + 1)));
    }
  }
  throw new Error(`task ${jobId}: runs kept conflicting`);
}
