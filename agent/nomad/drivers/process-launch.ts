import { chmodSync, chownSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findExecutable } from '../../common/executable';
import { lookupUser } from '../../common/users';
import { createTaskCgroup, type CgroupSetup } from '../cgroups/cgroups';
import type { StartRequest, TaskHandle } from './driver';
import { DriverStartError } from './driver';
import { logLaunch } from './executor-log';
import { launchTask, recoverTask, type ProcessTaskState } from './task-process';

/**
 * What raw_exec and exec share when they start a task: its cgroup with the task's limits (or,
 * on a node without usable cgroups, the memory limit as a `prlimit` data limit, which makes an
 * allocation past it fail instead of being OOM-killed), the status file, and recovery by state.
 */
export interface ProcessDriverHost {
  cgroups?: CgroupSetup;
  /** The `prlimit` executable, for nodes without cgroups. */
  prlimit?: string;
  /** The `setpriv` executable, which runs a task as its `user`. */
  setpriv?: string;
}

export interface UserIds {
  uid: number;
  gid: number;
}

/** The task's user; a start error, as Nomad words it, for one this machine does not have. */
export function requireUser(name: string): UserIds {
  const user = lookupUser(name);
  if (!user) throw new DriverStartError(`failed to identify user ${JSON.stringify(name)}: user: unknown user ${name}`, false);
  return user;
}

/** The task directory belongs to the task's user, and the allocation's shared data and tmp are open to every task of it. */
export function giveTaskDirs(taskDir: string, allocDir: string, user: UserIds): void {
  for (const dir of [taskDir, join(taskDir, 'local'), join(taskDir, 'secrets'), join(taskDir, 'tmp')]) if (existsSync(dir)) chownSync(dir, user.uid, user.gid);
  for (const dir of [join(allocDir, 'data'), join(allocDir, 'tmp')]) if (existsSync(dir)) chmodSync(dir, 0o1777);
}

/** The command line that becomes the user before running the rest: its IDs, no supplementary groups, no capabilities, no way back. */
export function asUser(setpriv: string, user: UserIds): string[] {
  return [setpriv, `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--'];
}

const MIB = 1024 * 1024;

/** The command as the task will run it; a start error (as Nomad's executor words it) when there is none. */
export function requireCommand(command: string, path: string | undefined, root = '/'): string {
  const found = findExecutable(command, path ?? '/usr/local/bin:/usr/bin:/bin', root);
  if (!found) throw new DriverStartError(`failed to launch command with executor: executable file not found: ${command}`, false);
  return found;
}

export async function launchProcessTask(host: ProcessDriverHost, request: StartRequest, argv: string[], cwd: string, spareComm?: string): Promise<TaskHandle> {
  const limits = request.resources ?? { memoryMB: 0, memoryMaxMB: 0, cpuShares: 0 };
  const cgroup = host.cgroups ? createTaskCgroup(host.cgroups, `${request.allocId}.${request.taskName}`, limits) : undefined;
  const hardMB = Math.max(limits.memoryMB, limits.memoryMaxMB);
  const limited = !cgroup && host.prlimit && hardMB > 0 ? [host.prlimit, `--data=${hardMB * MIB}`, '--', ...argv] : argv;
  logLaunch(request.taskDir, request.config.command, request.config.args);
  return launchTask({
    argv: limited,
    env: request.env,
    cwd,
    logFiles: request.logFiles,
    output: request.output,
    exitFile: join(dirname(request.taskDir), `.${request.taskName}.exit`),
    cgroup,
    spareComm,
  });
}

export function recoverProcessTask(state: Record<string, unknown>): TaskHandle | undefined {
  const task = state as Partial<ProcessTaskState>;
  if (typeof task.pid !== 'number' || typeof task.startTime !== 'string' || typeof task.exitFile !== 'string') return undefined;
  return recoverTask(task as ProcessTaskState);
}
