import { statfsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import type { CgroupSetup } from './cgroups/cgroups';
import type { NomadAgentConfig } from './config';
import { HEALTHY, type DriverHealth } from './drivers/driver';
import type { NodeIdentity } from './node-identity';

/**
 * What the node tells the scheduler about itself, under Nomad's attribute names. `hostFacts()`
 * reads the machine; `nodeRegistration()` is pure and turns facts into the Node that
 * `PUT /v1/node/register` takes.
 *
 * CPU is counted as Nomad counts it: MHz × cores (`cpu.totalcompute`, and the node's CpuShares).
 * Virtual machines often report a speed of 0 through the usual API; /proc/cpuinfo is tried next,
 * and `--cpu-total-compute` overrides both, as Nomad's `cpu_total_compute` does.
 */
const AGENT_VERSION = '1.9.0';

export interface HostFacts {
  hostname: string;
  platform: string;
  kernelRelease: string;
  /** Node's `process.arch` (x64, arm64, …). */
  arch: string;
  osName: string;
  osVersion: string;
  cpuModel: string;
  cpuMhz: number;
  cpuCores: number;
  memoryBytes: number;
  diskVolume: string;
  diskTotalBytes: number;
  diskFreeBytes: number;
  address: string;
  /** The cgroups tasks are limited through; absent where there are none to use (Nomad then leaves out `unique.cgroup.*`). */
  cgroup?: CgroupSetup;
}

/** Nomad's `cpu.arch` is Go's GOARCH; `kernel.arch` is uname -m. */
const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };
const UNAME_MACHINE: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', arm: 'armv7l', ia32: 'i686', ppc64: 'ppc64le', s390x: 's390x' };

function osRelease(): { name: string; version: string } {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const field = (key: string) => new RegExp(`^${key}="?([^"\\n]*)"?$`, 'm').exec(text)?.[1] ?? '';
    return { name: field('ID') || os.platform(), version: field('VERSION_ID') || os.release() };
  } catch {
    return { name: os.platform(), version: os.release() };
  }
}

function cpuMhz(cpus: os.CpuInfo[]): number {
  const reported = cpus[0]?.speed ?? 0;
  if (reported > 0) return reported;
  try {
    const match = /^cpu MHz\s*:\s*([\d.]+)/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return Math.floor(Number(match[1]));
  } catch {
    // not Linux: fall through
  }
  return 0;
}

function firstAddress(): string {
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return '127.0.0.1';
}

export function hostFacts(dataDir: string, address?: string): HostFacts {
  const cpus = os.cpus();
  const release = osRelease();
  const disk = statfsSync(dataDir);
  return {
    hostname: os.hostname(),
    platform: os.platform(),
    kernelRelease: os.release(),
    arch: process.arch,
    osName: release.name,
    osVersion: release.version,
    cpuModel: cpus[0]?.model ?? '',
    cpuMhz: cpuMhz(cpus),
    cpuCores: cpus.length,
    memoryBytes: os.totalmem(),
    diskVolume: dataDir,
    diskTotalBytes: disk.blocks * disk.bsize,
    diskFreeBytes: disk.bavail * disk.bsize,
    address: address ?? firstAddress(),
  };
}

export interface DriverFingerprint {
  name: string;
  attributes: Record<string, string>;
  /** Healthy when absent. */
  health?: DriverHealth;
}

export function nodeRegistration(
  facts: HostFacts,
  config: Pick<NomadAgentConfig, 'name' | 'datacenter' | 'nodePool' | 'nodeClass' | 'meta' | 'cpuTotalCompute' | 'memoryTotalMB'>,
  identity: NodeIdentity,
  drivers: DriverFingerprint[],
  httpAddr: string,
  now = new Date(),
): Record<string, unknown> {
  const totalCompute = config.cpuTotalCompute ?? facts.cpuMhz * facts.cpuCores;
  const memoryMB = config.memoryTotalMB ?? Math.floor(facts.memoryBytes / 1024 / 1024);
  const attributes: Record<string, string> = {
    'kernel.name': facts.platform,
    'kernel.version': facts.kernelRelease,
    'kernel.arch': UNAME_MACHINE[facts.arch] ?? facts.arch,
    'cpu.arch': GOARCH[facts.arch] ?? facts.arch,
    'cpu.modelname': facts.cpuModel,
    'cpu.numcores': String(facts.cpuCores),
    'cpu.frequency': String(config.cpuTotalCompute ? Math.floor(totalCompute / Math.max(1, facts.cpuCores)) : facts.cpuMhz),
    'cpu.totalcompute': String(totalCompute),
    'cpu.reservablecores': facts.cpuCores > 0 ? `0-${facts.cpuCores - 1}` : '',
    'memory.totalbytes': String(config.memoryTotalMB ? config.memoryTotalMB * 1024 * 1024 : facts.memoryBytes),
    'os.name': facts.osName,
    'os.version': facts.osVersion,
    'unique.hostname': facts.hostname,
    'unique.network.ip-address': facts.address,
    'unique.storage.volume': facts.diskVolume,
    'unique.storage.bytestotal': String(facts.diskTotalBytes),
    'unique.storage.bytesfree': String(facts.diskFreeBytes),
    'nomad.version': AGENT_VERSION,
    'nomad.advertise.address': httpAddr,
  };
  if (facts.cgroup) {
    attributes['unique.cgroup.mountpoint'] = facts.cgroup.mountpoint;
    attributes['unique.cgroup.version'] = facts.cgroup.version;
  }
  const driverInfo: Record<string, unknown> = {};
  for (const driver of drivers) {
    const health = driver.health ?? HEALTHY;
    if (health.detected && health.healthy) {
      attributes[`driver.${driver.name}`] = '1';
      Object.assign(attributes, driver.attributes);
    }
    driverInfo[driver.name] = {
      Attributes: driver.attributes,
      Detected: health.detected,
      Healthy: health.healthy,
      HealthDescription: health.description,
      UpdateTime: now.toISOString(),
    };
  }
  return {
    ID: identity.id,
    SecretID: identity.secretId,
    Name: config.name,
    Datacenter: config.datacenter,
    NodePool: config.nodePool,
    NodeClass: config.nodeClass,
    HTTPAddr: httpAddr,
    TLSEnabled: false,
    Attributes: attributes,
    Meta: config.meta,
    Drivers: driverInfo,
    NodeResources: {
      Cpu: {
        CpuShares: totalCompute,
        TotalCpuCores: facts.cpuCores,
        ReservableCpuCores: Array.from({ length: facts.cpuCores }, (_, i) => i),
      },
      Memory: { MemoryMB: memoryMB },
      Disk: { DiskMB: Math.floor(facts.diskFreeBytes / 1024 / 1024) },
      Networks: [{ Mode: 'host', Device: '', CIDR: `${facts.address}/32`, IP: facts.address, MBits: 1000 }],
      MinDynamicPort: 20000,
      MaxDynamicPort: 32000,
    },
    Status: 'ready',
  };
}
