import type { Allocation, RescheduleEvent } from '../structs/allocation';
import type { ReschedulePolicy } from '../structs/job';

/**
 * Reschedule policy arithmetic (Nomad's Allocation.NextRescheduleTime, NextDelay and the
 * reschedule tracker): when a failed allocation may be replaced, and whether its policy still
 * allows it. Durations in a policy are nanoseconds; times here are unix milliseconds. Pure.
 */
const NS_PER_MS = 1_000_000;
/** With unlimited rescheduling only the last few events are carried forward. */
const MAX_PAST_EVENTS = 5;

/** When the allocation last changed on the client: its latest task finish, else its ModifyTime. */
function lastEventTime(alloc: Allocation): number {
  let latest = 0;
  for (const state of Object.values(alloc.TaskStates ?? {})) {
    const finished = state?.FinishedAt ? Date.parse(state.FinishedAt) : NaN;
    if (Number.isFinite(finished) && finished > latest && !state.FinishedAt!.startsWith('0001-')) latest = finished;
  }
  return latest > 0 ? latest : Math.floor(alloc.ModifyTime / NS_PER_MS);
}

function events(alloc: Allocation): RescheduleEvent[] {
  return alloc.RescheduleTracker?.Events ?? [];
}

/** The delay before the next reschedule, in ns, by the policy's delay function. */
export function nextDelay(alloc: Allocation, policy: ReschedulePolicy | null): number {
  if (!policy) return 0;
  const past = events(alloc);
  if (past.length === 0) return policy.Delay;
  let delay = policy.Delay;
  const last = past[past.length - 1];
  if (policy.DelayFunction === 'exponential') delay = last.Delay * 2;
  else if (policy.DelayFunction === 'fibonacci') {
    if (past.length >= 2) {
      const before = past[past.length - 2];
      delay = before.Delay === policy.MaxDelay && last.Delay === policy.Delay ? last.Delay : last.Delay + before.Delay;
    }
  } else return delay;
  if (policy.MaxDelay > 0 && delay > policy.MaxDelay) {
    delay = policy.MaxDelay;
    // A long quiet spell since the last reschedule starts the series again.
    if (lastEventTime(alloc) * NS_PER_MS - last.RescheduleTime > delay) delay = policy.Delay;
  }
  return delay;
}

/** Reschedules already made within the policy's interval before `failTime`. */
function attemptsInInterval(alloc: Allocation, policy: ReschedulePolicy, failTime: number): number {
  return events(alloc).filter((event) => failTime * NS_PER_MS - event.RescheduleTime < policy.Interval).length;
}

export interface RescheduleTime {
  /** Unix ms at or after which the allocation may be replaced. */
  at: number;
  eligible: boolean;
}

/** Nomad's NextRescheduleTime for a failed allocation. */
export function nextRescheduleTime(alloc: Allocation, policy: ReschedulePolicy | null): RescheduleTime {
  const none = { at: 0, eligible: false };
  if (!policy || (policy.Attempts === 0 && !policy.Unlimited)) return none;
  if (alloc.DesiredStatus === 'stop' || (alloc.ClientStatus !== 'failed' && alloc.ClientStatus !== 'lost')) return none;
  const failTime = lastEventTime(alloc);
  if (!failTime) return none;
  const delay = nextDelay(alloc, policy);
  let eligible = policy.Unlimited || (policy.Attempts > 0 && events(alloc).length === 0);
  if (policy.Attempts > 0 && events(alloc).length > 0) {
    eligible = attemptsInInterval(alloc, policy, failTime) < policy.Attempts && delay < policy.Interval;
  }
  return { at: failTime + delay / NS_PER_MS, eligible };
}

/** Whether a failed allocation may still be rescheduled at all (used before failing a deployment). */
export function rescheduleEligible(alloc: Allocation, policy: ReschedulePolicy | null, now: number): boolean {
  if (!policy) return false;
  if (policy.Unlimited) return true;
  if (policy.Attempts === 0) return false;
  return attemptsInInterval(alloc, policy, now) < policy.Attempts;
}

/** The tracker of a replacement: the previous one's recent events plus this reschedule. */
export function nextTracker(previous: Allocation, policy: ReschedulePolicy | null, now: number): { Events: RescheduleEvent[] } {
  const past = events(previous);
  let kept: RescheduleEvent[];
  if (policy && policy.Attempts > 0) {
    kept = past.filter((event) => policy.Interval > 0 && now * NS_PER_MS - event.RescheduleTime <= policy.Interval);
  } else {
    kept = past.slice(-MAX_PAST_EVENTS);
  }
  return {
    Events: [
      ...kept.map((event) => ({ ...event })),
      { RescheduleTime: now * NS_PER_MS, PrevAllocID: previous.ID, PrevNodeID: previous.NodeID, Delay: nextDelay(previous, policy) },
    ],
  };
}
