import { sampleTask, type UsageSample } from './task-usage';

/**
 * Nomad's `AllocResourceUsage` for an allocation's running tasks (`GET /v1/client/allocation/:id/stats`):
 * memory as sampled, CPU as percentages of one core over a short window between two samples
 * (SystemMode, UserMode, Percent), and TotalTicks as the MHz that percentage stands for, as
 * Nomad's executor reports them. The allocation's totals add up its running tasks.
 */
export interface MemoryStats {
  RSS: number;
  Cache: number;
  Swap: number;
  MappedFile: number;
  Usage: number;
  MaxUsage: number;
  KernelUsage: number;
  KernelMaxUsage: number;
  Measured: string[] | null;
}

export interface CpuStats {
  SystemMode: number;
  UserMode: number;
  TotalTicks: number;
  ThrottledPeriods: number;
  ThrottledTime: number;
  Percent: number;
  Measured: string[] | null;
}

export interface ResourceUsage {
  MemoryStats: MemoryStats;
  CpuStats: CpuStats;
  DeviceStats: unknown[];
}

export interface TaskResourceUsage {
  ResourceUsage: ResourceUsage;
  Timestamp: number;
  Pids: null;
}

export interface AllocResourceUsage {
  ResourceUsage: ResourceUsage;
  Tasks: Record<string, TaskResourceUsage>;
  Timestamp: number;
}

const SAMPLE_WINDOW_MS = 200;

function emptyUsage(): ResourceUsage {
  return {
    MemoryStats: { RSS: 0, Cache: 0, Swap: 0, MappedFile: 0, Usage: 0, MaxUsage: 0, KernelUsage: 0, KernelMaxUsage: 0, Measured: null },
    CpuStats: { SystemMode: 0, UserMode: 0, TotalTicks: 0, ThrottledPeriods: 0, ThrottledTime: 0, Percent: 0, Measured: null },
    DeviceStats: [],
  };
}

/** Pure: the usage between two samples of one task. */
export function taskUsage(before: UsageSample, after: UsageSample, mhzPerCore: number): ResourceUsage {
  const wallNs = Math.max(1, (after.atMs - before.atMs) * 1e6);
  const percent = (ns: number) => Math.max(0, (ns / wallNs) * 100);
  const user = percent(after.userNs - before.userNs);
  const system = percent(after.systemNs - before.systemNs);
  const total = user + system;
  return {
    MemoryStats: {
      RSS: after.rss,
      Cache: after.cache,
      Swap: after.swap,
      MappedFile: after.mappedFile,
      Usage: after.usage,
      MaxUsage: after.maxUsage,
      KernelUsage: after.kernelUsage,
      KernelMaxUsage: after.kernelMaxUsage,
      Measured: after.measuredMemory,
    },
    CpuStats: {
      SystemMode: system,
      UserMode: user,
      TotalTicks: (total / 100) * mhzPerCore,
      ThrottledPeriods: after.throttledPeriods,
      ThrottledTime: after.throttledNs,
      Percent: total,
      Measured: after.measuredCpu,
    },
    DeviceStats: [],
  };
}

/** Pure: Nomad's ResourceUsage.Add. */
export function addUsage(sum: ResourceUsage, usage: ResourceUsage): void {
  const memory = sum.MemoryStats;
  for (const key of ['RSS', 'Cache', 'Swap', 'MappedFile', 'Usage', 'MaxUsage', 'KernelUsage', 'KernelMaxUsage'] as const) memory[key] += usage.MemoryStats[key];
  if (usage.MemoryStats.Measured) memory.Measured = [...new Set([...(memory.Measured ?? []), ...usage.MemoryStats.Measured])];
  const cpu = sum.CpuStats;
  for (const key of ['SystemMode', 'UserMode', 'TotalTicks', 'ThrottledPeriods', 'ThrottledTime', 'Percent'] as const) cpu[key] += usage.CpuStats[key];
  if (usage.CpuStats.Measured) cpu.Measured = [...new Set([...(cpu.Measured ?? []), ...usage.CpuStats.Measured])];
}

/** Samples the given tasks (name → driver state) twice over a short window. */
export async function allocUsage(tasks: Map<string, Record<string, unknown> | undefined>, mhzPerCore: number): Promise<AllocResourceUsage> {
  const first = new Map<string, UsageSample>();
  for (const [name, state] of tasks) {
    const sample = sampleTask(state);
    if (sample) first.set(name, sample);
  }
  if (first.size > 0) await new Promise((resolve) => setTimeout(resolve, SAMPLE_WINDOW_MS));
  const result: AllocResourceUsage = { ResourceUsage: emptyUsage(), Tasks: {}, Timestamp: 0 };
  for (const [name, before] of first) {
    const after = sampleTask(tasks.get(name));
    if (!after) continue;
    const usage = taskUsage(before, after, mhzPerCore);
    const timestamp = after.atMs * 1e6;
    result.Tasks[name] = { ResourceUsage: usage, Timestamp: timestamp, Pids: null };
    addUsage(result.ResourceUsage, usage);
    result.Timestamp = Math.max(result.Timestamp, timestamp);
  }
  return result;
}
