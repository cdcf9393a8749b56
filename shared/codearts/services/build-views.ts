import type { Caller } from '../auth/caller';
import { recordNotFound } from '../errors';
import { isInFlight } from '../pipeline/build-status';
import { DAY_MS } from '../pipeline/run-variables';
import type { TaskRecord } from '../records';
import { buildRange, firstBuildSince, getBuild, getBuilds } from '../store/builds';
import { currentViews, type BuildView } from './build-state';
import { visibleTask } from './visible-task';

/** What the read endpoints show: one build, a page of history, whether a task runs. */

export async function recordInfo(caller: Caller, jobId: string, buildNo: number): Promise<BuildView & { task: TaskRecord }> {
  const [task, record] = await Promise.all([visibleTask(caller, jobId), getBuild(jobId, buildNo)]);
  if (!record) throw recordNotFound();
  const [view] = await currentViews([record]);
  return { ...view, task };
}

/** `GET /v3/jobs/:job_id/status`: true while any build of the task is QUEUED or RUNNING. */
export async function taskRunning(caller: Caller, jobId: string): Promise<boolean> {
  const task = await visibleTask(caller, jobId);
  if (task.inFlight.length === 0) return false;
  const views = await currentViews(await getBuilds(jobId, task.inFlight));
  return views.some((view) => isInFlight(view.state.status));
}

export interface HistoryQuery {
  /** A page number, not an item offset. */
  page: number;
  limit: number;
  intervalDays: number;
}

/**
 * The task's builds of the last `intervalDays` days, newest first. Build numbers are dense and
 * grow with time, so the interval is the range from its first build to the last build_no and a
 * page is a key range of that: two small queries whatever the history's length (the first one
 * alongside the task's read).
 */
export async function history(caller: Caller, jobId: string, query: HistoryQuery, now = Date.now()): Promise<{ views: BuildView[]; total: number }> {
  const since = now - query.intervalDays * DAY_MS;
  const [task, firstInInterval] = await Promise.all([visibleTask(caller, jobId), firstBuildSince(jobId, since)]);
  const newest = task.buildCount;
  if (newest === 0) return { views: [], total: 0 };
  let first = firstInInterval;
  if (first === undefined) {
    // The index lags writes a little: the newest build may be in the interval before it shows there.
    const latest = await getBuild(jobId, newest);
    if (!latest || latest.createdAt < since) return { views: [], total: 0 };
    first = newest;
  }
  const total = newest - first + 1;
  const high = newest - query.page * query.limit;
  if (high < first) return { views: [], total };
  const records = await buildRange(jobId, Math.max(first, high - query.limit + 1), high);
  return { views: await currentViews(records), total };
}
