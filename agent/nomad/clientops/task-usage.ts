import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processGroupMembers } from '../../common/proc-stat';
import type { TaskCgroup } from '../cgroups/cgroups';

/**
 * What a task's processes use, measured as Nomad's executor measures it: from the task's cgroup
 * where it has one (memory.current/memory.stat/cpu.stat on v2; memory.usage_in_bytes, memory.stat
 * and cpuacct on v1), else from /proc for the process tree under the task's wrapper (RSS and
 * CPU times of every process in its process group). CPU is cumulative here; Percent comes from
 * two samples (task-stats.ts).
 */
export interface UsageSample {
  /** Nanoseconds of CPU used so far, in user and system mode. */
  userNs: number;
  systemNs: number;
  throttledPeriods: number;
  throttledNs: number;
  rss: number;
  cache: number;
  swap: number;
  mappedFile: number;
  usage: number;
  maxUsage: number;
  kernelUsage: number;
  kernelMaxUsage: number;
  measuredMemory: string[];
  measuredCpu: string[];
  atMs: number;
}

const CLOCK_TICK_NS = 1e9 / 100;

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function keyed(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) out[key] = Number(value);
  }
  return out;
}

const num = (text: string | undefined) => (text === undefined || text.trim() === 'max' ? 0 : Number(text.trim()) || 0);

function fromCgroupV2(dir: string): UsageSample | undefined {
  const current = read(join(dir, 'memory.current'));
  if (current === undefined) return undefined;
  const memory = keyed(read(join(dir, 'memory.stat')));
  const cpu = keyed(read(join(dir, 'cpu.stat')));
  return {
    userNs: (cpu.user_usec ?? 0) * 1000,
    systemNs: (cpu.system_usec ?? 0) * 1000,
    throttledPeriods: cpu.nr_throttled ?? 0,
    throttledNs: (cpu.throttled_usec ?? 0) * 1000,
    rss: memory.anon ?? 0,
    cache: memory.file ?? 0,
    swap: num(read(join(dir, 'memory.swap.current'))),
    mappedFile: memory.file_mapped ?? 0,
    usage: num(current),
    maxUsage: num(read(join(dir, 'memory.peak'))),
    kernelUsage: 0,
    kernelMaxUsage: 0,
    measuredMemory: ['RSS', 'Cache', 'Swap', 'Usage'],
    measuredCpu: ['System Mode', 'User Mode', 'Throttled Periods', 'Throttled Time', 'Percent'],
    atMs: Date.now(),
  };
}

function fromCgroupV1(memoryDir: string, cpuDir: string): UsageSample | undefined {
  const usage = read(join(memoryDir, 'memory.usage_in_bytes'));
  if (usage === undefined) return undefined;
  const memory = keyed(read(join(memoryDir, 'memory.stat')));
  const accounted = read(join(cpuDir, 'cpuacct.stat'));
  // Where cpuacct is its own hierarchy the task is not in it: its processes' times then come from /proc.
  const times = accounted ? keyed(accounted) : undefined;
  const fromProcs = times ? undefined : procCpu(pidsIn(memoryDir));
  const throttling = keyed(read(join(cpuDir, 'cpu.stat')));
  return {
    userNs: times ? (times.user ?? 0) * CLOCK_TICK_NS : fromProcs!.userNs,
    systemNs: times ? (times.system ?? 0) * CLOCK_TICK_NS : fromProcs!.systemNs,
    throttledPeriods: throttling.nr_throttled ?? 0,
    throttledNs: throttling.throttled_time ?? 0,
    rss: memory.total_rss ?? memory.rss ?? 0,
    cache: memory.total_cache ?? memory.cache ?? 0,
    swap: memory.total_swap ?? memory.swap ?? 0,
    mappedFile: memory.total_mapped_file ?? memory.mapped_file ?? 0,
    usage: num(usage),
    maxUsage: num(read(join(memoryDir, 'memory.max_usage_in_bytes'))),
    kernelUsage: num(read(join(memoryDir, 'memory.kmem.usage_in_bytes'))),
    kernelMaxUsage: num(read(join(memoryDir, 'memory.kmem.max_usage_in_bytes'))),
    measuredMemory: ['RSS', 'Cache', 'Swap', 'Usage', 'Max Usage', 'Kernel Usage', 'Kernel Max Usage'],
    measuredCpu: ['System Mode', 'User Mode', 'Throttled Periods', 'Throttled Time', 'Percent'],
    atMs: Date.now(),
  };
}

function pidsIn(dir: string): number[] {
  return (read(join(dir, 'cgroup.procs')) ?? '').split('\n').filter(Boolean).map(Number);
}

/** CPU times of the processes (utime and stime, stat's fields 14 and 15). */
function procCpu(pids: number[]): { userNs: number; systemNs: number } {
  let userNs = 0;
  let systemNs = 0;
  for (const pid of pids) {
    const stat = read(`/proc/${pid}/stat`);
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    userNs += Number(fields[11]) * CLOCK_TICK_NS;
    systemNs += Number(fields[12]) * CLOCK_TICK_NS;
  }
  return { userNs, systemNs };
}

/** The process tree in the wrapper's process group (the wrapper included: its share is negligible). */
function fromProc(pgrp: number): UsageSample {
  const members = processGroupMembers(pgrp);
  const { userNs, systemNs } = procCpu(members.map((member) => member.pid));
  let rss = 0;
  let swap = 0;
  for (const member of members) {
    const status = read(`/proc/${member.pid}/status`) ?? '';
    rss += Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0) * 1024;
    swap += Number(/^VmSwap:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0) * 1024;
  }
  return {
    userNs,
    systemNs,
    throttledPeriods: 0,
    throttledNs: 0,
    rss: rss || 0,
    cache: 0,
    swap,
    mappedFile: 0,
    usage: 0,
    maxUsage: 0,
    kernelUsage: 0,
    kernelMaxUsage: 0,
    measuredMemory: ['RSS', 'Swap'],
    measuredCpu: ['System Mode', 'User Mode', 'Percent'],
    atMs: Date.now(),
  };
}

/** A sample of the task whose driver state is `state` (a process task's `{pid, cgroup}`); undefined for tasks without processes. */
export function sampleTask(state: Record<string, unknown> | undefined): UsageSample | undefined {
  const pid = typeof state?.pid === 'number' ? state.pid : undefined;
  if (pid === undefined) return undefined;
  const cgroup = state?.cgroup as TaskCgroup | undefined;
  const measured = cgroup?.version === 'v2' ? fromCgroupV2(cgroup.dirs[0]) : cgroup?.version === 'v1' ? fromCgroupV1(cgroup.dirs[0], cgroup.dirs[1]) : undefined;
  return measured ?? fromProc(pid);
}

