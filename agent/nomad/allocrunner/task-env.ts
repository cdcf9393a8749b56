import type { Allocation } from '../../../shared/nomad/structs/allocation';
import type { Job, Task, TaskGroup } from '../../../shared/nomad/structs/job';
import type { AllocPorts } from './ports';

/**
 * A task's environment as Nomad builds it: the agent's own environment minus credentials (Nomad's
 * `env.denylist`), then the NOMAD_* variables, then the task's `env` block (interpolated). Also
 * the `${…}` interpolation Nomad applies to driver config, env values and service fields. Pure.
 */
export interface NodeFacts {
  id: string;
  name: string;
  datacenter: string;
  nodeClass: string;
  nodePool: string;
  region: string;
  attributes: Record<string, string>;
  meta: Record<string, string>;
}

export interface TaskDirs {
  allocDir: string;
  taskDir: string;
  localDir: string;
  secretsDir: string;
  tmpDir: string;
}

const DENIED = /TOKEN|SECRET|PASSWORD|^AWS_|^NOMAD_|^BOOTSTRAP_|^GOOGLE_APPLICATION_CREDENTIALS$/i;

export function hostEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && !DENIED.test(key)) out[key] = value;
  return out;
}

/** `${NOMAD_ALLOC_ID}`, `${node.unique.id}`, `${attr.cpu.arch}`, `${meta.rack}`, `${env["X"]}`; unknown names stay as written. */
export function interpolate(text: string, env: Record<string, string>, node: NodeFacts): string {
  return text.replace(/\$\{([^}]+)\}/g, (whole, rawName: string) => {
    const name = rawName.trim();
    const envKey = /^env\["(.+)"\]$/.exec(name)?.[1] ?? name;
    if (envKey in env) return env[envKey];
    switch (name) {
      case 'node.unique.id':
        return node.id;
      case 'node.unique.name':
        return node.name;
      case 'node.datacenter':
        return node.datacenter;
      case 'node.class':
        return node.nodeClass;
      case 'node.pool':
        return node.nodePool;
      case 'node.region':
        return node.region;
    }
    if (name.startsWith('attr.') && name.slice(5) in node.attributes) return node.attributes[name.slice(5)];
    if (name.startsWith('meta.') && name.slice(5) in node.meta) return node.meta[name.slice(5)];
    return whole;
  });
}

export function interpolateValue(value: unknown, env: Record<string, string>, node: NodeFacts): unknown {
  if (typeof value === 'string') return interpolate(value, env, node);
  if (Array.isArray(value)) return value.map((item) => interpolateValue(item, env, node));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateValue(item, env, node)]));
  }
  return value;
}

function allocIndex(name: string): string {
  return /\[(\d+)\]$/.exec(name)?.[1] ?? '0';
}

export function taskEnv(
  alloc: Allocation,
  job: Job,
  group: TaskGroup,
  task: Task,
  dirs: TaskDirs,
  ports: AllocPorts,
  node: NodeFacts,
  base: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = { ...base };
  const resources = alloc.AllocatedResources?.Tasks?.[task.Name];
  Object.assign(env, {
    NOMAD_ALLOC_DIR: dirs.allocDir,
    NOMAD_TASK_DIR: dirs.localDir,
    NOMAD_SECRETS_DIR: dirs.secretsDir,
    NOMAD_MEMORY_LIMIT: String(resources?.Memory.MemoryMB ?? task.Resources?.MemoryMB ?? 0),
    NOMAD_CPU_LIMIT: String(resources?.Cpu.CpuShares ?? task.Resources?.CPU ?? 0),
    NOMAD_ALLOC_ID: alloc.ID,
    NOMAD_SHORT_ALLOC_ID: alloc.ID.slice(0, 8),
    NOMAD_ALLOC_NAME: alloc.Name,
    NOMAD_ALLOC_INDEX: allocIndex(alloc.Name),
    NOMAD_TASK_NAME: task.Name,
    NOMAD_GROUP_NAME: group.Name,
    NOMAD_JOB_ID: job.ID,
    NOMAD_JOB_NAME: job.Name,
    NOMAD_JOB_PARENT_ID: job.ParentID ?? '',
    NOMAD_DC: node.datacenter,
    NOMAD_NAMESPACE: alloc.Namespace,
    NOMAD_REGION: node.region,
    TMPDIR: dirs.tmpDir,
  });
  const maxMemory = resources?.Memory.MemoryMaxMB ?? task.Resources?.MemoryMaxMB ?? 0;
  if (maxMemory > 0) env.NOMAD_MEMORY_MAX_LIMIT = String(maxMemory);
  for (const [key, value] of Object.entries({ ...(job.Meta ?? {}), ...(group.Meta ?? {}), ...(task.Meta ?? {}) })) {
    env[`NOMAD_META_${key}`] = value;
    env[`NOMAD_META_${key.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`] = value;
  }
  for (const [label, port] of Object.entries(ports)) {
    const suffix = label.replace(/[^A-Za-z0-9_]/g, '_');
    env[`NOMAD_IP_${suffix}`] = port.ip;
    env[`NOMAD_PORT_${suffix}`] = String(port.to || port.value);
    env[`NOMAD_ADDR_${suffix}`] = `${port.ip}:${port.to || port.value}`;
    env[`NOMAD_HOST_IP_${suffix}`] = port.ip;
    env[`NOMAD_HOST_PORT_${suffix}`] = String(port.value);
    env[`NOMAD_HOST_ADDR_${suffix}`] = `${port.ip}:${port.value}`;
    env[`NOMAD_ALLOC_PORT_${suffix}`] = String(port.to || port.value);
  }
  for (const [key, value] of Object.entries(task.Env ?? {})) env[key] = interpolate(String(value), env, node);
  return env;
}
