import { transact, TransactionConflict } from '../../storage/transact';
import { buildState, isInFlight, type BuildState } from '../pipeline/build-status';
import { currentJobs } from '../pipeline/gitlab-builds';
import type { BuildRecord } from '../records';
import { finishBuild, getBuild } from '../store/builds';
import { leaveInFlight } from '../store/tasks';

/**
 * Where builds are now. A record that says QUEUED or RUNNING is looked up in GitLab (its job is
 * the truth while the build runs); one found finished is written back, conditioned on still being
 * in flight, together with its leaving the task's in-flight set. So nothing has to call us when a
 * pipeline ends, a crash can leave nothing stale, and a stop that got there first is never
 * overwritten.
 */
export interface BuildView {
  record: BuildRecord;
  state: BuildState;
}

/**
 * Writes a finished build's state back; false if its record moved meanwhile (a stop won). A write
 * that merely collided with another transaction is left to the next read: the state is right anyway.
 */
export async function settleBuild(record: BuildRecord, state: BuildState): Promise<boolean> {
  try {
    await transact([finishBuild(record, state), leaveInFlight(record.jobId, record.buildNo)]);
    return true;
  } catch (error) {
    if (error instanceof TransactionConflict) return error.transient;
    throw error;
  }
}

export async function currentViews(records: readonly BuildRecord[]): Promise<BuildView[]> {
  const open = records.filter((record) => isInFlight(record.status));
  const jobs = open.length > 0 ? await currentJobs(open) : new Map();
  return Promise.all(
    records.map(async (record): Promise<BuildView> => {
      const state = buildState(record, jobs.get(record.buildNo));
      if (!isInFlight(record.status) || isInFlight(state.status)) return { record, state };
      if (await settleBuild(record, state)) return { record: { ...record, ...state }, state };
      const fresh = (await getBuild(record.jobId, record.buildNo))!;
      return { record: fresh, state: buildState(fresh, jobs.get(record.buildNo)) };
    }),
  );
}
