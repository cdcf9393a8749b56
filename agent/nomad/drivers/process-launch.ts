import { dirname, join } from 'node:path';
import { findExecutable } from '../../common/executable';
import { createTaskCgroup, type CgroupSetup } from '../cgroups/cgroups';
import type { StartRequest, TaskHandle } from './driver';
import { DriverStartError } from './driver';
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
