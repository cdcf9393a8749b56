import type { TaskState } from '../../../shared/nomad/structs/allocation';

/**
 * Deployment health of an allocation, judged on the client from its task states (Nomad's
 * `health_check = "task_states"`; with no checks to run, `"checks"` means the same here):
 * healthy once every watched task has been running for MinHealthyTime, unhealthy as soon as one
 * fails or when HealthyDeadline passes first. Reported once.
 */
export class HealthWatcher {
  private timer: NodeJS.Timeout | undefined;
  private readonly deadline: NodeJS.Timeout;
  private reported = false;

  constructor(
    private readonly minHealthyMs: number,
    healthyDeadlineMs: number,
    private readonly report: (healthy: boolean) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.deadline = setTimeout(() => this.settle(false), healthyDeadlineMs);
  }

  private settle(healthy: boolean): void {
    if (this.reported) return;
    this.reported = true;
    this.stop();
    this.report(healthy);
  }

  /** Called with the watched tasks' states after every change. */
  observe(states: TaskState[]): void {
    if (this.reported) return;
    if (states.some((state) => state.State === 'dead' && state.Failed)) return this.settle(false);
    clearTimeout(this.timer);
    this.timer = undefined;
    if (states.length === 0 || !states.every((state) => state.State === 'running')) return;
    const lastStart = Math.max(...states.map((state) => Date.parse(state.StartedAt ?? '') || 0));
    const wait = Math.max(0, lastStart + this.minHealthyMs - this.now());
    this.timer = setTimeout(() => this.settle(true), wait);
  }

  stop(): void {
    clearTimeout(this.timer);
    clearTimeout(this.deadline);
  }
}
