import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Resource limits through the node's cgroups, where Nomad puts them: cgroups v2 (a unified tree
 * whose memory and cpu controllers this agent may use) under `nomad.slice/<alloc>.<task>.scope`,
 * or the v1 hierarchy (`memory/` and `cpu/` mounted side by side) under `nomad/<alloc>.<task>`.
 * A task's `MemoryMB` is its hard memory limit unless `MemoryMaxMB` raises it (MemoryMB then
 * being the soft limit), and its `CPU` MHz are its cpu.shares (v1) or the cpu.weight those
 * shares map to (v2). Swap is kept at the same limit, so going past the limit is an OOM kill.
 */
export type CgroupVersion = 'v1' | 'v2';

export interface CgroupSetup {
  version: CgroupVersion;
  mountpoint: string;
}

export interface TaskCgroup {
  version: CgroupVersion;
  /** v1: the task's memory and cpu cgroups; v2: its one cgroup. */
  dirs: string[];
}

export interface TaskLimits {
  memoryMB: number;
  memoryMaxMB: number;
  cpuShares: number;
}

const MIB = 1024 * 1024;
const V1_PARENT = 'nomad';
const V2_PARENT = 'nomad.slice';

function tryWrite(file: string, value: string): boolean {
  try {
    writeFileSync(file, value);
    return true;
  } catch {
    return false;
  }
}

function controllers(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').trim().split(/\s+/);
  } catch {
    return [];
  }
}

/** v2 when the unified tree has memory and cpu and lets us delegate them, else v1 when its memory and cpu hierarchies take a child; undefined when neither. */
export function detectCgroups(root = '/sys/fs/cgroup'): CgroupSetup | undefined {
  const available = controllers(join(root, 'cgroup.controllers'));
  if (available.includes('memory') && available.includes('cpu')) {
    try {
      const parent = join(root, V2_PARENT);
      if (!controllers(join(root, 'cgroup.subtree_control')).includes('memory')) writeFileSync(join(root, 'cgroup.subtree_control'), '+memory +cpu');
      mkdirSync(parent, { recursive: true });
      if (!controllers(join(parent, 'cgroup.subtree_control')).includes('memory')) writeFileSync(join(parent, 'cgroup.subtree_control'), '+memory +cpu');
      return { version: 'v2', mountpoint: root };
    } catch {
      // not ours to delegate: try v1
    }
  }
  try {
    for (const controller of ['memory', 'cpu']) {
      if (!existsSync(join(root, controller, 'cgroup.procs'))) return undefined;
      mkdirSync(join(root, controller, V1_PARENT), { recursive: true });
    }
    return { version: 'v1', mountpoint: root };
  } catch {
    return undefined;
  }
}

/** Nomad's mapping of cpu.shares (2..262144) onto cpu.weight (1..10000). */
export function cpuWeight(shares: number): number {
  const clamped = Math.min(262_144, Math.max(2, shares));
  return Math.floor(1 + ((clamped - 2) * 9999) / 262_142);
}

/** Creates the task's cgroup with its limits applied (again, if it is there already). */
export function createTaskCgroup(setup: CgroupSetup, name: string, limits: TaskLimits): TaskCgroup {
  const hardMB = Math.max(limits.memoryMB, limits.memoryMaxMB);
  const soft = limits.memoryMaxMB > limits.memoryMB;
  if (setup.version === 'v2') {
    const dir = join(setup.mountpoint, V2_PARENT, `${name}.scope`);
    mkdirSync(dir, { recursive: true });
    if (hardMB > 0) {
      writeFileSync(join(dir, 'memory.max'), String(hardMB * MIB));
      tryWrite(join(dir, 'memory.swap.max'), '0');
      if (soft) writeFileSync(join(dir, 'memory.low'), String(limits.memoryMB * MIB));
    }
    if (limits.cpuShares > 0) writeFileSync(join(dir, 'cpu.weight'), String(cpuWeight(limits.cpuShares)));
    return { version: 'v2', dirs: [dir] };
  }
  const memory = join(setup.mountpoint, 'memory', V1_PARENT, name);
  const cpu = join(setup.mountpoint, 'cpu', V1_PARENT, name);
  mkdirSync(memory, { recursive: true });
  mkdirSync(cpu, { recursive: true });
  if (hardMB > 0) {
    writeFileSync(join(memory, 'memory.limit_in_bytes'), String(hardMB * MIB));
    // memsw must not be below the memory limit, which is why it comes second; absent without swap accounting.
    tryWrite(join(memory, 'memory.memsw.limit_in_bytes'), String(hardMB * MIB));
    if (soft) writeFileSync(join(memory, 'memory.soft_limit_in_bytes'), String(limits.memoryMB * MIB));
  }
  if (limits.cpuShares > 0) writeFileSync(join(cpu, 'cpu.shares'), String(Math.max(2, limits.cpuShares)));
  return { version: 'v1', dirs: [memory, cpu] };
}

/** The files a process writes its PID to, to join the task's cgroup(s). */
export function cgroupProcsFiles(cgroup: TaskCgroup): string[] {
  return cgroup.dirs.map((dir) => join(dir, 'cgroup.procs'));
}

/** How many times the kernel's OOM killer killed a process of the task's cgroup. */
export function oomKills(cgroup: TaskCgroup): number {
  const file = cgroup.version === 'v2' ? join(cgroup.dirs[0], 'memory.events') : join(cgroup.dirs[0], 'memory.oom_control');
  try {
    return Number(/^oom_kill (\d+)$/m.exec(readFileSync(file, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** PIDs still in the task's cgroup. */
export function cgroupPids(cgroup: TaskCgroup): number[] {
  try {
    return readFileSync(join(cgroup.dirs[0], 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Kills whatever is left in the task's cgroup and removes it. */
export async function removeTaskCgroup(cgroup: TaskCgroup): Promise<void> {
  for (let attempt = 0; attempt < 40; attempt++) {
    for (const pid of cgroupPids(cgroup)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    let left = 0;
    for (const dir of cgroup.dirs) {
      try {
        if (existsSync(dir)) rmdirSync(dir);
      } catch {
        // busy until the kernel has let go of the killed processes
        left++;
      }
    }
    if (left === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
