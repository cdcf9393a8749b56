import type { RestartPolicy } from '../../../shared/nomad/structs/job';
import { formatGoDuration } from '../../common/go-duration';
import { RestartReason } from './task-events';

/**
 * Nomad's restart policy, applied on the client after a task exits or fails to start. Pure
 * apart from the clock and random jitter, both injectable.
 *
 * - A successful exit is not restarted where the task is expected to finish (batch jobs and
 *   ephemeral prestart/poststart/poststop tasks); elsewhere it is, like any exit.
 * - Up to `Attempts` restarts are allowed per `Interval`, each after `Delay` plus up to 25% jitter.
 * - Past that, mode `fail` fails the task; mode `delay` waits for the interval to end and goes on.
 * - An unrecoverable start error fails the task at once.
 */
export type RestartDecision =
  | { kind: 'restart'; delayNs: number; reason: string }
  | { kind: 'fail'; reason: string }
  | { kind: 'done'; reason: string };

export interface ExitOutcome {
  /** The task ran and exited with this code (undefined when it failed to start). */
  exitCode?: number;
  startError?: { recoverable: boolean };
}

export class RestartTracker {
  private count = 0;
  private intervalStart: number;

  constructor(
    private readonly policy: RestartPolicy,
    /** Whether a successful exit should be restarted (service and system tasks that must stay up). */
    private readonly restartOnSuccess: boolean,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    this.intervalStart = now();
  }

  decide(outcome: ExitOutcome): RestartDecision {
    const succeeded = outcome.startError === undefined && outcome.exitCode === 0;
    if (succeeded && !this.restartOnSuccess) return { kind: 'done', reason: RestartReason.Successful };
    if (outcome.startError && !outcome.startError.recoverable) return { kind: 'fail', reason: RestartReason.Unrecoverable };
    if (this.policy.Attempts === 0) {
      return succeeded ? { kind: 'done', reason: RestartReason.NoRestartsAllowed } : { kind: 'fail', reason: RestartReason.NoRestartsAllowed };
    }
    const now = this.now();
    const intervalMs = this.policy.Interval / 1_000_000;
    if (now > this.intervalStart + intervalMs) {
      this.count = 0;
      this.intervalStart = now;
    }
    this.count++;
    if (this.count > this.policy.Attempts) {
      if (this.policy.Mode === 'fail') {
        return {
          kind: 'fail',
          reason: `Exceeded allowed attempts ${this.policy.Attempts} in interval ${formatGoDuration(this.policy.Interval)} and mode is "fail"`,
        };
      }
      const untilIntervalEnds = (this.intervalStart + intervalMs - now) * 1_000_000;
      return { kind: 'restart', delayNs: Math.max(untilIntervalEnds, this.policy.Delay), reason: RestartReason.Delay };
    }
    const jitter = this.random() * this.policy.Delay * 0.25;
    return { kind: 'restart', delayNs: Math.round(this.policy.Delay + jitter), reason: RestartReason.WithinPolicy };
  }
}
