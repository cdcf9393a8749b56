import type { Task } from '../../../shared/nomad/structs/job';

/**
 * Task lifecycle ordering inside one allocation, as Nomad's task hook coordinator orders it. Pure:
 * given each task's role and where each task is, says which tasks to start and which to kill.
 *
 * - prestart tasks start first; main tasks wait until every ephemeral prestart task has finished
 *   successfully and every prestart sidecar is running;
 * - poststart tasks start once every main task is running;
 * - when every main task is dead, the sidecars and any poststart task still up are killed;
 * - poststop tasks start once every other task is dead;
 * - a failed task kills its siblings, a dead leader kills the rest, and a stop kills everything
 *   (poststop tasks still run afterwards).
 */
export type Hook = 'prestart' | 'poststart' | 'poststop' | 'main';

export interface LifecycleTask {
  name: string;
  hook: Hook;
  sidecar: boolean;
  leader: boolean;
}

export interface TaskProgress {
  /** The runner was told to start. */
  started: boolean;
  state: 'pending' | 'running' | 'dead';
  failed: boolean;
  /** Being killed already. */
  killing: boolean;
}

export type KillCause = { kind: 'sibling-failed'; sibling: string } | { kind: 'leader-dead' } | { kind: 'main-dead' } | { kind: 'stop' };

export interface LifecycleSteps {
  start: string[];
  kill: { task: string; cause: KillCause }[];
}

export function lifecycleTask(task: Pick<Task, 'Name' | 'Lifecycle' | 'Leader'>): LifecycleTask {
  const hook = task.Lifecycle?.Hook;
  return {
    name: task.Name,
    hook: hook === 'prestart' || hook === 'poststart' || hook === 'poststop' ? hook : 'main',
    sidecar: Boolean(task.Lifecycle?.Sidecar),
    leader: Boolean(task.Leader),
  };
}

/** Tasks expected to run to completion: a successful exit is not restarted. */
export function isEphemeral(task: LifecycleTask): boolean {
  return task.hook !== 'main' && !task.sidecar;
}

export function nextLifecycleSteps(tasks: LifecycleTask[], progress: Record<string, TaskProgress>, stopping: boolean): LifecycleSteps {
  const steps: LifecycleSteps = { start: [], kill: [] };
  const at = (task: LifecycleTask) => progress[task.name];
  const dead = (task: LifecycleTask) => at(task).state === 'dead';
  const live = (task: LifecycleTask) => !dead(task) && !at(task).killing;
  const byHook = (hook: Hook) => tasks.filter((task) => task.hook === hook);
  const nonPoststop = tasks.filter((task) => task.hook !== 'poststop');
  const main = byHook('main');

  const failed = nonPoststop.find((task) => dead(task) && at(task).failed);
  const leaderDead = nonPoststop.some((task) => task.leader && dead(task));
  const mainDead = main.length > 0 && main.every((task) => dead(task) && at(task).started);
  let cause: KillCause | undefined;
  if (failed) cause = { kind: 'sibling-failed', sibling: failed.name };
  else if (leaderDead) cause = { kind: 'leader-dead' };
  else if (stopping) cause = { kind: 'stop' };
  else if (mainDead) cause = { kind: 'main-dead' };

  if (cause) {
    for (const task of nonPoststop) if (live(task)) steps.kill.push({ task: task.name, cause });
  } else {
    const prestart = byHook('prestart');
    for (const task of prestart) if (!at(task).started) steps.start.push(task.name);
    const prestartDone = prestart.every((task) =>
      task.sidecar ? at(task).state === 'running' : dead(task) && at(task).started && !at(task).failed,
    );
    if (prestartDone) for (const task of main) if (!at(task).started) steps.start.push(task.name);
    const mainRunning = main.every((task) => at(task).started && at(task).state !== 'pending');
    if (prestartDone && mainRunning) for (const task of byHook('poststart')) if (!at(task).started) steps.start.push(task.name);
  }

  const othersDead = nonPoststop.every((task) => dead(task));
  if (othersDead) for (const task of byHook('poststop')) if (!at(task).started) steps.start.push(task.name);
  return steps;
}
