/**
 * GitLab's computed durations, in seconds. A job's `duration` runs from start to finish (to now
 * while it runs) and its `queued_duration` from the last time it was queued to its start (to now
 * while it waits). A pipeline's `duration` is the time any of its jobs ran: the union of their
 * running periods (`Gitlab::Ci::Pipeline::Duration`).
 */
export function jobDuration(startedAt: number | null, finishedAt: number | null, now: number): number | null {
  if (startedAt === null) return null;
  return ((finishedAt ?? now) - startedAt) / 1000;
}

export function queuedDuration(queuedAt: number | null, startedAt: number | null, now: number): number | null {
  if (queuedAt === null) return null;
  return ((startedAt ?? now) - queuedAt) / 1000;
}

export function runningUnion(periods: readonly { startedAt: number | null; finishedAt: number | null }[], now: number): number {
  const spans = periods
    .filter((period) => period.startedAt !== null)
    .map((period) => [period.startedAt!, period.finishedAt ?? now] as const)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let current: [number, number] | undefined;
  for (const [start, end] of spans) {
    if (current && start <= current[1]) current[1] = Math.max(current[1], end);
    else {
      if (current) total += current[1] - current[0];
      current = [start, end];
    }
  }
  if (current) total += current[1] - current[0];
  return Math.round(total / 1000);
}
