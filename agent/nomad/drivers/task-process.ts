import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { isAlive, processGroupMembers, procStat } from '../../common/proc-stat';
import { cgroupPids, cgroupProcsFiles, oomKills, removeTaskCgroup, type TaskCgroup } from '../cgroups/cgroups';
import type { ExitResult, OutputSinks, TaskHandle } from './driver';
import { DriverStartError } from './driver';

/**
 * A task's processes, started so that they outlive the agent, as Nomad's executor does: a tiny
 * `sh` wrapper in its own session joins the task's cgroups, runs the command, and writes the
 * command's exit status to a file when it ends; stdout and stderr go straight to the task's log
 * files. The agent that started the task sees the wrapper exit; an agent started later finds
 * it again by PID and start time (`recoverTask`) and reads the status file when it is gone.
 *
 * Stopping signals every process of the task (its process group and cgroup) except the wrapper,
 * which waits to record the status, and processes named `spareComm` (exec's `bwrap`, which
 * would die of the signal and leave the task orphaned instead of letting it shut down). A stop
 * that comes before the wrapper has forked the command waits for it, so the signal is not lost.
 */
export type ProcessTaskState = {
  pid: number;
  startTime: string;
  exitFile: string;
  cgroup?: TaskCgroup;
  spareComm?: string;
};

export interface LaunchRequest {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** Without log files, output is piped to `output` (and the task cannot outlive the agent). */
  logFiles?: { stdout: string; stderr: string };
  output: OutputSinks;
  exitFile: string;
  cgroup?: TaskCgroup;
  spareComm?: string;
}

const WRAPPER = [
  'exit_file=$1; shift',
  'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift',
  '"$@"',
  'code=$?',
  'echo $code > "$exit_file.tmp" && mv "$exit_file.tmp" "$exit_file"',
  'exit $code',
].join('\n');

const POLL_MS = 250;

function signalNumber(name: string | null): number {
  if (!name) return 0;
  return (constants.signals as Record<string, number>)[name] ?? 0;
}

/** The status the wrapper recorded, as Nomad reports it: a status above 128 is death by signal (status - 128). */
function recordedExit(exitFile: string): { exitCode: number; signal: number } | undefined {
  let code: number;
  try {
    code = Number(readFileSync(exitFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(code)) return undefined;
  return { exitCode: code, signal: code > 128 && code < 128 + 65 ? code - 128 : 0 };
}

export async function launchTask(request: LaunchRequest): Promise<TaskHandle & { state: ProcessTaskState }> {
  rmSync(request.exitFile, { force: true });
  const files = request.logFiles ? [openSync(request.logFiles.stdout, 'a'), openSync(request.logFiles.stderr, 'a')] : undefined;
  const joins = request.cgroup ? cgroupProcsFiles(request.cgroup) : [];
  const child = spawn('/bin/sh', ['-c', WRAPPER, 'jobplane-task', request.exitFile, ...joins, '--', ...request.argv], {
    cwd: request.cwd,
    env: request.env,
    detached: true,
    stdio: ['ignore', files?.[0] ?? 'pipe', files?.[1] ?? 'pipe'],
  });
  for (const fd of files ?? []) closeSync(fd);
  child.stdout?.on('data', (chunk: Buffer) => request.output.stdout(chunk));
  child.stderr?.on('data', (chunk: Buffer) => request.output.stderr(chunk));
  // Piped output is complete at 'close'; output to files needs only the exit.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once(files ? 'exit' : 'close', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(new DriverStartError(`failed to launch command with executor: ${error.message}`, false)));
  });
  if (files) child.unref();
  const stat = procStat(child.pid!);
  const state: ProcessTaskState = { pid: child.pid!, startTime: stat?.startTime ?? '', exitFile: request.exitFile, cgroup: request.cgroup, spareComm: request.spareComm };
  return new ProcessTask(
    state,
    exited.then(({ code, signal }) => ({ exitCode: code ?? 128 + signalNumber(signal), signal: signalNumber(signal) })),
  );
}

/** The task a previous agent launched, from its state: running (watched until it exits) or already gone. */
export function recoverTask(state: ProcessTaskState): TaskHandle {
  return new ProcessTask(state, undefined);
}

class ProcessTask implements TaskHandle {
  private readonly exited: Promise<ExitResult>;
  private done = false;
  private poll: NodeJS.Timeout | undefined;
  private detached = false;

  constructor(
    readonly state: ProcessTaskState,
    childExit: Promise<{ exitCode: number; signal: number }> | undefined,
  ) {
    const gone = childExit ?? this.watch();
    this.exited = gone.then((status) => {
      // A detached task belongs to the next agent, which reads its result.
      if (this.detached) return new Promise<ExitResult>(() => undefined);
      this.done = true;
      return this.result(status);
    });
  }

  /** Resolves when the process that had the recorded start time is no longer alive; never after a detach. */
  private watch(): Promise<undefined> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.detached) return;
        if (!isAlive(this.state.pid, this.state.startTime)) return resolve(undefined);
        this.poll = setTimeout(check, POLL_MS);
      };
      check();
    });
  }

  private async result(status: { exitCode: number; signal: number } | undefined): Promise<ExitResult> {
    // Without a recorded status the wrapper itself was killed outright (SIGKILL is the one signal it cannot wait out).
    const exit = recordedExit(this.state.exitFile) ?? status ?? { exitCode: 137, signal: 9 };
    const oomKilled = this.state.cgroup ? oomKills(this.state.cgroup) > 0 : false;
    if (this.state.cgroup) await removeTaskCgroup(this.state.cgroup);
    return { ...exit, oomKilled, error: oomKilled ? 'OOM Killed' : undefined };
  }

  wait(): Promise<ExitResult> {
    return this.exited;
  }

  /** Every process of the task but the wrapper (and the spared ones, unless killing). */
  private signal(signal: NodeJS.Signals): void {
    if (!isAlive(this.state.pid, this.state.startTime)) return;
    const pids = new Set(processGroupMembers(this.state.pid).filter((member) => signal === 'SIGKILL' || member.comm !== this.state.spareComm).map((member) => member.pid));
    if (this.state.cgroup) {
      for (const pid of cgroupPids(this.state.cgroup)) if (signal === 'SIGKILL' || procStat(pid)?.comm !== this.state.spareComm) pids.add(pid);
    }
    pids.delete(this.state.pid);
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // exited meanwhile
      }
    }
  }

  /** Resolves once the wrapper has forked the command (or is gone). */
  private async forked(): Promise<void> {
    const deadline = Date.now() + 2_000;
    while (!this.done && Date.now() < deadline && isAlive(this.state.pid, this.state.startTime)) {
      if (processGroupMembers(this.state.pid).some((member) => member.ppid === this.state.pid)) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async stop(timeoutMs: number, signal: string): Promise<void> {
    if (this.done) return;
    await this.forked();
    const name = (signalNumber(signal) ? signal : 'SIGINT') as NodeJS.Signals;
    this.signal(name);
    const timer = setTimeout(() => this.signal('SIGKILL'), Math.max(0, timeoutMs));
    await this.exited;
    clearTimeout(timer);
  }

  detach(): void {
    this.detached = true;
    clearTimeout(this.poll);
  }

  /** An unknown name is SIGINT, as Nomad's exec drivers send it. */
  sendSignal(signal: string): void {
    if (this.done) return;
    this.signal((signalNumber(signal) ? signal : 'SIGINT') as NodeJS.Signals);
  }
}
