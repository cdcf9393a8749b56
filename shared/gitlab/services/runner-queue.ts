import type { JobRecord } from '../records';
import { runnerCanPick } from '../state/runner-matching';
import { bumpQueueValue, listRunners } from '../store/runners';

/**
 * GitLab's runner queue value (`X-GitLab-Last-Update`): when builds become pending, every runner
 * that could take one gets a new value, so its next `POST /jobs/request` looks at the queue
 * instead of answering 204 from the value it already has. Runners are read fresh each time: a
 * runner missed here would keep answering 204 until the periodic duties wake it.
 */
export async function notifyRunners(pendingBuilds: readonly JobRecord[]): Promise<void> {
  if (pendingBuilds.length === 0) return;
  const matching = (await listRunners()).filter((runner) => pendingBuilds.some((job) => runnerCanPick(runner, job)));
  await Promise.all(matching.map((runner) => bumpQueueValue(runner.id)));
}

/** Every runner gets a new value (the periodic safety net for a notification lost in a crash). */
export async function notifyAllRunners(): Promise<void> {
  await Promise.all((await listRunners()).map((runner) => bumpQueueValue(runner.id)));
}
