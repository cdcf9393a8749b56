import type { ClientStatus } from '../structs/allocation';
import type { TaskGroupSummary } from '../structs/job';

/**
 * How Nomad's job summary counters move when an allocation changes client status: the new bucket
 * goes up; the old one goes down only if it is Running, Starting, Lost or Unknown (Complete and
 * Failed are totals that never decrease). A new allocation (no previous status) counts as Starting.
 */
export type SummaryDelta = Partial<Record<keyof TaskGroupSummary, number>>;

/** The summary bucket that counts an allocation of each client status. */
export const BUCKET: Record<ClientStatus, keyof TaskGroupSummary> = {
  pending: 'Starting',
  running: 'Running',
  complete: 'Complete',
  failed: 'Failed',
  lost: 'Lost',
  unknown: 'Unknown',
};

const DECREMENTED = new Set<keyof TaskGroupSummary>(['Running', 'Starting', 'Lost', 'Unknown']);

export function summaryTransition(from: ClientStatus | undefined, to: ClientStatus): SummaryDelta {
  if (from === to) return {};
  const delta: SummaryDelta = { [BUCKET[to]]: 1 };
  if (from !== undefined && DECREMENTED.has(BUCKET[from])) {
    delta[BUCKET[from]] = (delta[BUCKET[from]] ?? 0) - 1;
  }
  return delta;
}

export function addSummaryDeltas(into: Record<string, SummaryDelta>, group: string, delta: SummaryDelta): void {
  const target = (into[group] ??= {});
  for (const [bucket, value] of Object.entries(delta) as [keyof TaskGroupSummary, number][]) {
    target[bucket] = (target[bucket] ?? 0) + value;
  }
}
