import { readFileSync, statfsSync } from 'node:fs';

/**
 * Nomad's `HostStats` (`GET /v1/client/stats`): memory from /proc/meminfo, per-core CPU from two
 * readings of /proc/stat a short window apart, disk usage of every real mounted file system and
 * of the allocation directory, uptime. Field for field what Nomad's client reports (figures in
 * bytes, CPU in percent and in the MHz that percentage stands for).
 */
const WINDOW_MS = 200;
const PSEUDO_FS = new Set([
  'proc', 'sysfs', 'devtmpfs', 'devpts', 'tmpfs', 'cgroup', 'cgroup2', 'securityfs', 'pstore', 'bpf', 'debugfs', 'tracefs', 'mqueue',
  'hugetlbfs', 'configfs', 'fusectl', 'autofs', 'binfmt_misc', 'rpc_pipefs', 'nsfs', 'overlay', 'squashfs', 'ramfs', 'efivarfs', 'fuse.lxcfs',
]);

export interface DiskStats {
  Device: string;
  Mountpoint: string;
  Size: number;
  Used: number;
  Available: number;
  UsedPercent: number;
  InodesUsedPercent: number;
}

function meminfo(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readFileSync('/proc/meminfo', 'utf8').split('\n')) {
    const match = /^(\w+):\s+(\d+)(?: kB)?$/.exec(line.trim());
    if (match) out[match[1]] = Number(match[2]) * 1024;
  }
  return out;
}

function cpuTimes(): Map<string, { idle: number; user: number; system: number; total: number }> {
  const out = new Map<string, { idle: number; user: number; system: number; total: number }>();
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const match = /^(cpu\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = match[2].split(/\s+/).map(Number);
    out.set(match[1], { idle: idle + iowait, user: user + nice, system: system + irq + softirq, total: user + nice + system + idle + iowait + irq + softirq + (steal || 0) });
  }
  return out;
}

function diskUsage(path: string, device = '', mountpoint = ''): DiskStats | undefined {
  try {
    const fs = statfsSync(path);
    const size = fs.blocks * fs.bsize;
    const free = fs.bavail * fs.bsize;
    const used = (fs.blocks - fs.bfree) * fs.bsize;
    const usedPercent = used + free > 0 ? (used / (used + free)) * 100 : 0;
    const inodesUsedPercent = fs.files > 0 ? ((fs.files - fs.ffree) / fs.files) * 100 : 0;
    return { Device: device, Mountpoint: mountpoint, Size: size, Used: used, Available: free, UsedPercent: usedPercent, InodesUsedPercent: inodesUsedPercent };
  } catch {
    return undefined;
  }
}

function mountedDisks(): DiskStats[] {
  const seen = new Set<string>();
  const disks: DiskStats[] = [];
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    const [device, mountpoint, type] = line.split(' ');
    if (!device || PSEUDO_FS.has(type) || seen.has(mountpoint)) continue;
    seen.add(mountpoint);
    const usage = diskUsage(mountpoint, device, mountpoint);
    if (usage && usage.Size > 0) disks.push(usage);
  }
  return disks;
}

export async function hostStats(allocRoot: string, mhzPerCore: number) {
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
  const after = cpuTimes();
  const cpus = [...after].map(([name, now]) => {
    const then = before.get(name) ?? { idle: 0, user: 0, system: 0, total: 0 };
    const total = Math.max(1, now.total - then.total);
    const idle = ((now.idle - then.idle) / total) * 100;
    const totalPercent = 100 - idle;
    return {
      CPU: name,
      User: ((now.user - then.user) / total) * 100,
      System: ((now.system - then.system) / total) * 100,
      Idle: idle,
      TotalPercent: totalPercent,
      TotalTicks: (totalPercent / 100) * mhzPerCore,
    };
  });
  const memory = meminfo();
  const total = memory.MemTotal ?? 0;
  const free = memory.MemFree ?? 0;
  return {
    Memory: {
      Total: total,
      Available: memory.MemAvailable ?? free,
      Used: Math.max(0, total - free - (memory.Buffers ?? 0) - (memory.Cached ?? 0) - (memory.SReclaimable ?? 0)),
      Free: free,
    },
    CPU: cpus,
    DiskStats: mountedDisks(),
    AllocDirStats: diskUsage(allocRoot) ?? { Device: '', Mountpoint: '', Size: 0, Used: 0, Available: 0, UsedPercent: 0, InodesUsedPercent: 0 },
    DeviceStats: [],
    Uptime: Math.floor(Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0])),
    Timestamp: Date.now() * 1e6,
    CPUTicksConsumed: cpus.reduce((sum, cpu) => sum + cpu.TotalTicks, 0),
  };
}
