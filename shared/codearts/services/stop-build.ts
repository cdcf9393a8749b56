import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { transact, TransactionConflict } from '../../storage/transact';
import type { Caller } from '../auth/caller';
import { recordNotFound } from '../errors';
import { buildState, isInFlight, type BuildState } from '../pipeline/build-status';
import type { BuildRecord } from '../records';
import { cancelJobWrites, processPipeline } from '../../gitlab/engine';
import { currentJobs } from '../pipeline/gitlab-builds';
import { finishBuild, getBuild } from '../store/builds';
import { leaveInFlight } from '../store/tasks';
import { settleBuild } from './build-state';
import { visibleTask } from './visible-task';

/**
 * `POST /v3/jobs/stop`. One transaction decides a stop: the record goes from QUEUED or RUNNING to
 * ABORTED and the build's GitLab job is canceled, both conditioned on what was read. A runner
 * that finishes the job first, or a second stop, makes it fail; it is then decided again on
 * fresh reads: a build already ABORTED answers true (stopping is idempotent), a finished one false.
 */
export async function stopBuild(caller: Caller, jobId: string, buildNo: number): Promise<boolean> {
  const [, record] = await Promise.all([visibleTask(caller, jobId), getBuild(jobId, buildNo)]);
  return abortBuild(jobId, buildNo, record);
}

/** Stops build `buildNo`, starting from its record as the caller read it (`undefined`: there is none). */
export async function abortBuild(jobId: string, buildNo: number, read: BuildRecord | undefined): Promise<boolean> {
  let record = read;
  for (let attempt = 0; attempt < 10; attempt++) {
    if (attempt > 0) record = await getBuild(jobId, buildNo);
    if (!record) throw recordNotFound();
    if (!isInFlight(record.status)) return record.status === 'ABORTED';
    const job = (await currentJobs([record])).get(buildNo);
    if (!job) throw new Error(`build ${jobId}#${buildNo}: its GitLab job ${record.gitlabJobId} is missing`);
    const state = buildState(record, job);
    if (!isInFlight(state.status)) {
      // It ended before the stop came: record that, unless a stop got there first.
      if (await settleBuild(record, state)) return state.status === 'ABORTED';
      continue;
    }
    const now = Date.now();
    const aborted: BuildState = { status: 'ABORTED', startedAt: job.startedAt, finishedAt: now };
    try {
      await transact([finishBuild(record, aborted), ...cancelJobWrites(job, now), leaveInFlight(jobId, buildNo)]);
    } catch (error) {
      if (!(error instanceof TransactionConflict)) throw error;
      await sleep(randomInt(2, 10 * (attempt + 1)));
      continue;
    }
    await processPipeline(record.pipelineId);
    return true;
  }
  throw new Error(`build ${jobId}#${buildNo}: the stop kept conflicting`);
}
