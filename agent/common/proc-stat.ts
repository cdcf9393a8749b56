import { readdirSync, readFileSync } from 'node:fs';

/**
 * What /proc/<pid>/stat says about a process: its state, process group and start time (clock
 * ticks since boot). PID plus start time names one process for good: a PID the kernel reused
 * for another process has a different start time. Linux only; undefined where there is no
 * such process.
 */
export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  startTime: string;
}

export function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm is in parentheses and may itself hold spaces or parentheses: the last ')' ends it.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is stat's field 3 (state), so field N is fields[N - 3].
  return { pid, comm, state: fields[0], ppid: Number(fields[1]), pgrp: Number(fields[2]), startTime: fields[19] };
}

/** True while the process that had `startTime` is alive (a zombie is not). */
export function isAlive(pid: number, startTime: string): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.startTime === startTime && stat.state !== 'Z' && stat.state !== 'X';
}

/** Every live process in process group `pgrp`. */
export function processGroupMembers(pgrp: number): ProcStat[] {
  const members: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name));
    if (stat && stat.pgrp === pgrp && stat.state !== 'Z') members.push(stat);
  }
  return members;
}
