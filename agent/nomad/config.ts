import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { LOG_LEVELS, parseLogLevel, type LogLevel } from '../common/logger';

/**
 * The Nomad client mode's settings, from a JSON config file (`--config`) overlaid by flags and
 * the environment (`NOMAD_ADDR`, `NOMAD_TOKEN`, as Nomad's CLI reads them). Flags win over the file.
 *
 * Drivers are opt-in, as Nomad's raw_exec is: without `--driver` the agent offers only
 * `mock_driver`, which runs nothing. `exec` isolates its tasks with bubblewrap and reports
 * itself unhealthy where bwrap or cgroups are missing.
 *
 * Tasks outlive the agent, as Nomad's do: a restarted agent with the same data dir takes them up
 * again. `stop_tasks_on_exit` makes the agent stop them when it exits instead.
 */
const DRIVER_NAMES = ['raw_exec', 'exec', 'mock_driver'] as const;
export type DriverName = (typeof DRIVER_NAMES)[number];

const FileConfig = z
  .object({
    api: z.string().url().optional(),
    token: z.string().optional(),
    data_dir: z.string().optional(),
    name: z.string().min(1).optional(),
    datacenter: z.string().min(1).optional(),
    node_pool: z.string().min(1).optional(),
    node_class: z.string().optional(),
    meta: z.record(z.string(), z.string()).optional(),
    drivers: z.array(z.enum(DRIVER_NAMES)).optional(),
    address: z.string().min(1).optional(),
    cpu_total_compute: z.number().int().positive().optional(),
    memory_total_mb: z.number().int().positive().optional(),
    log_level: z.enum(LOG_LEVELS).optional(),
    stop_tasks_on_exit: z.boolean().optional(),
    chroot_env: z.record(z.string().startsWith('/'), z.string().startsWith('/')).optional(),
  })
  .strict();

export interface NomadAgentConfig {
  api: string;
  token?: string;
  dataDir: string;
  name: string;
  datacenter: string;
  nodePool: string;
  nodeClass: string;
  meta: Record<string, string>;
  drivers: DriverName[];
  /** The address services are registered at and NOMAD_IP_* point to. */
  address?: string;
  cpuTotalCompute?: number;
  memoryTotalMB?: number;
  logLevel: LogLevel;
  /** Stop the tasks when the agent exits (otherwise they keep running for the next agent). */
  stopTasksOnExit?: boolean;
  /** Host path → path in an exec task's chroot, instead of Nomad's default list. */
  chrootEnv?: Record<string, string>;
}

export const USAGE = `Usage: jobplane-agent [nomad] [options]

Runs a Nomad client node against a jobplane API: registers this machine, heartbeats, runs the
allocations placed on it, ships their logs, registers their services and runs their actions.

Options:
  --api URL              API base URL (env NOMAD_ADDR; default http://127.0.0.1:4646)
  --token TOKEN          ACL token sent as X-Nomad-Token (env NOMAD_TOKEN)
  --config FILE          JSON file with any of: api token data_dir name datacenter node_pool
                         node_class meta drivers address cpu_total_compute memory_total_mb log_level
                         stop_tasks_on_exit chroot_env (host path → path in exec's chroot)
  --data-dir DIR         node ID and allocation directories (default ./agent-data)
  --name NAME            node name (default: the host name)
  --dc NAME              datacenter (default dc1)
  --node-pool NAME       node pool (default "default")
  --node-class NAME      node class
  --meta KEY=VALUE       node metadata (repeatable)
  --driver NAME          enable a driver: raw_exec, exec, mock_driver (repeatable; default mock_driver)
  --address IP           address services are registered at (default: first non-loopback IPv4)
  --cpu-total-compute N  MHz across all cores, when the CPU speed cannot be detected
  --memory-total-mb N    memory to offer instead of the detected total
  --log-level LEVEL      debug, info, warn or error (default info)
  --stop-tasks-on-exit   stop the tasks when the agent exits (default: they keep running and
                         an agent started again with the same data dir takes them up)
  -h, --help             this text
`;

function readConfigFile(path: string): z.infer<typeof FileConfig> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  const parsed = FileConfig.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`config file ${path}: ${issue.path.join('.') || 'root'}: ${issue.message}`);
  }
  return parsed.data;
}

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

/** Parses argv (without the mode word); `help: true` when the usage was asked for. */
export function parseNomadAgentArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): { help: true } | { help: false; config: NomadAgentConfig } {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      api: { type: 'string' },
      token: { type: 'string' },
      config: { type: 'string' },
      'data-dir': { type: 'string' },
      name: { type: 'string' },
      dc: { type: 'string' },
      'node-pool': { type: 'string' },
      'node-class': { type: 'string' },
      meta: { type: 'string', multiple: true },
      driver: { type: 'string', multiple: true },
      address: { type: 'string' },
      'cpu-total-compute': { type: 'string' },
      'memory-total-mb': { type: 'string' },
      'log-level': { type: 'string' },
      'stop-tasks-on-exit': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { help: true };
  const file = values.config ? readConfigFile(values.config) : {};

  const meta = { ...(file.meta ?? {}) };
  for (const pair of values.meta ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--meta expects KEY=VALUE, got ${JSON.stringify(pair)}`);
    meta[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const drivers = values.driver ?? file.drivers ?? ['mock_driver'];
  for (const driver of drivers) {
    if (!(DRIVER_NAMES as readonly string[]).includes(driver)) throw new Error(`unknown driver ${JSON.stringify(driver)} (known: ${DRIVER_NAMES.join(', ')})`);
  }
  const logLevel = parseLogLevel(values['log-level'] ?? file.log_level ?? 'info');
  const api = values.api ?? file.api ?? env.NOMAD_ADDR ?? 'http://127.0.0.1:4646';
  if (!/^https?:\/\//.test(api)) throw new Error(`--api must be an http(s) URL, got ${JSON.stringify(api)}`);

  return {
    help: false,
    config: {
      api,
      token: values.token ?? file.token ?? env.NOMAD_TOKEN ?? undefined,
      dataDir: resolve(values['data-dir'] ?? file.data_dir ?? 'agent-data'),
      name: values.name ?? file.name ?? hostname(),
      datacenter: values.dc ?? file.datacenter ?? 'dc1',
      nodePool: values['node-pool'] ?? file.node_pool ?? 'default',
      nodeClass: values['node-class'] ?? file.node_class ?? '',
      meta,
      drivers: [...new Set(drivers)] as DriverName[],
      address: values.address ?? file.address,
      cpuTotalCompute: positiveInt('cpu-total-compute', values['cpu-total-compute']) ?? file.cpu_total_compute,
      memoryTotalMB: positiveInt('memory-total-mb', values['memory-total-mb']) ?? file.memory_total_mb,
      logLevel,
      stopTasksOnExit: values['stop-tasks-on-exit'] ?? file.stop_tasks_on_exit,
      chrootEnv: file.chroot_env,
    },
  };
}
