import { parseGoDuration } from '../../../util/go-duration';

/**
 * Maps a jobspec, as syntax.ts decodes it (blocks are lists, labelled blocks are maps of lists)
 * and after its expressions are evaluated, onto Nomad's API Job: the block and attribute names
 * of Nomad's `hcl` tags, durations as nanoseconds, `port` blocks as reserved or dynamic ports,
 * constraint shorthands (`distinct_hosts = true`…) expanded. Pure.
 */
type Loose = Record<string, any>;

export class JobspecError extends Error {}

const ACRONYMS: Record<string, string> = { id: 'ID', cpu: 'CPU', mb: 'MB', ttl: 'TTL', tls: 'TLS', dns: 'DNS', ip: 'IP', uid: 'UID', gid: 'GID', url: 'URL', mbits: 'MBits' };

/** `max_file_size` → `MaxFileSize`, `task_id` → `TaskID`. */
function pascalCase(name: string): string {
  return name
    .split('_')
    .map((part) => ACRONYMS[part] ?? part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function duration(value: unknown, where: string): number {
  if (typeof value === 'number') return value;
  const ms = typeof value === 'string' ? parseGoDuration(value) : undefined;
  if (ms === undefined) throw new JobspecError(`${where}: time: invalid duration ${JSON.stringify(value)}`);
  return Math.round(ms * 1_000_000);
}

/** Go's `int` is 64 bits; gohcl refuses a fraction (or a number beyond it) when it decodes one. */
function wholeNumber(value: unknown, where: string): unknown {
  if (typeof value !== 'number' || Number.isSafeInteger(value)) return value;
  throw new JobspecError(`${where}: Unsuitable value type; Unsuitable value: value must be a whole number, between -9223372036854775808 and 9223372036854775807`);
}

function blocks(value: unknown): Loose[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((entry) => entry && typeof entry === 'object' && !Array.isArray(entry));
}

function single(value: unknown): Loose | undefined {
  return blocks(value)[0];
}

function labelled(value: unknown): [string, Loose][] {
  const result: [string, Loose][] = [];
  for (const group of blocks(value)) for (const [label, bodies] of Object.entries(group)) for (const body of blocks(bodies)) result.push([label, body]);
  return result;
}

/** `meta { … }` and `meta = { … }` alike; values as strings, as Nomad's map[string]string. */
function stringMap(value: unknown): Record<string, string> | undefined {
  const merged = Object.assign({}, ...blocks(value)) as Loose;
  if (value === undefined || value === null) return undefined;
  return Object.fromEntries(Object.entries(merged).map(([key, inner]) => [key, typeof inner === 'string' ? inner : JSON.stringify(inner)]));
}

interface AttributeRules {
  renames?: Record<string, string>;
  durations?: string[];
  skip?: string[];
}

/** The plain attributes of a block, renamed to API fields. */
function attributes(body: Loose, rules: AttributeRules = {}): Loose {
  const result: Loose = {};
  for (const [name, value] of Object.entries(body)) {
    if (rules.skip?.includes(name)) continue;
    const field = rules.renames?.[name] ?? pascalCase(name);
    result[field] = rules.durations?.includes(name) && value !== null ? duration(value, `job.${name}`) : value;
  }
  return result;
}

/** The attributes of an optional single block, or null without one. */
function optionalAttributes(value: unknown, rules?: AttributeRules): Loose | null {
  const body = single(value);
  return body ? attributes(body, rules) : null;
}

/** Each block mapped, or null when there is none (Go's nil slice). */
function mapBlocks<T>(value: unknown, map: (body: Loose) => T): T[] | null {
  const list = blocks(value);
  return list.length > 0 ? list.map((body) => map(body)) : null;
}

/** Each labelled block mapped, or null when there is none. */
function mapLabelled<T>(value: unknown, map: (label: string, body: Loose) => T): T[] | null {
  const list = labelled(value);
  return list.length > 0 ? list.map(([label, body]) => map(label, body)) : null;
}

const CONSTRAINT_SHORTHANDS = ['distinct_hosts', 'distinct_property', 'regexp', 'version', 'semver', 'set_contains', 'set_contains_any', 'set_contains_all', 'is_set', 'is_not_set'];

function constraint(body: Loose) {
  const result: Loose = { LTarget: body.attribute ?? '', RTarget: body.value ?? '', Operand: body.operator ?? '=' };
  for (const shorthand of CONSTRAINT_SHORTHANDS) {
    if (!(shorthand in body)) continue;
    const value = body[shorthand];
    if (shorthand === 'distinct_hosts') Object.assign(result, { Operand: 'distinct_hosts', RTarget: String(value) });
    else if (shorthand === 'distinct_property') Object.assign(result, { Operand: 'distinct_property', LTarget: value, RTarget: body.value ?? '' });
    else if (shorthand === 'is_set' || shorthand === 'is_not_set') Object.assign(result, { Operand: shorthand, RTarget: '' });
    else Object.assign(result, { Operand: shorthand, RTarget: String(value) });
  }
  return result;
}

function affinity(body: Loose) {
  return { LTarget: body.attribute ?? '', RTarget: body.value ?? '', Operand: body.operator ?? '=', Weight: body.weight ?? 50 };
}

function spread(body: Loose) {
  const targets = labelled(body.target).map(([value, target]) => ({ Value: value, Percent: target.percent ?? 0 }));
  return { Attribute: body.attribute ?? '', Weight: body.weight ?? 50, SpreadTarget: targets.length > 0 ? targets : null };
}

const UPDATE: AttributeRules = { durations: ['stagger', 'min_healthy_time', 'healthy_deadline', 'progress_deadline'] };
const MIGRATE: AttributeRules = { durations: ['min_healthy_time', 'healthy_deadline'] };
const RESTART: AttributeRules = { durations: ['interval', 'delay'] };
const RESCHEDULE: AttributeRules = { durations: ['interval', 'delay', 'max_delay'] };

function network(body: Loose) {
  const reserved: Loose[] = [];
  const dynamic: Loose[] = [];
  for (const [label, port] of labelled(body.port)) {
    const entry = { Label: label, Value: port.static ?? 0, To: port.to ?? 0, HostNetwork: port.host_network ?? 'default', IgnoreCollision: port.ignore_collision ?? false };
    (port.static !== undefined ? reserved : dynamic).push(entry);
  }
  const dns = single(body.dns);
  return {
    ...attributes(body, { skip: ['port', 'dns'], renames: { mbits: 'MBits' } }),
    Mode: body.mode ?? '',
    ReservedPorts: reserved.length > 0 ? reserved : null,
    DynamicPorts: dynamic.length > 0 ? dynamic : null,
    DNS: dns ? { Servers: dns.servers ?? null, Searches: dns.searches ?? null, Options: dns.options ?? null } : null,
  };
}

function check(body: Loose) {
  const restart = single(body.check_restart);
  return {
    ...attributes(body, {
      skip: ['check_restart', 'header'],
      renames: { port: 'PortLabel', task: 'TaskName', interval: 'Interval', timeout: 'Timeout' },
      durations: ['interval', 'timeout'],
    }),
    Header: body.header ? Object.assign({}, ...blocks(body.header)) : null,
    CheckRestart: restart ? { Limit: restart.limit ?? 0, Grace: duration(restart.grace ?? 0, 'check_restart.grace'), IgnoreWarnings: restart.ignore_warnings ?? false } : null,
  };
}

function service(body: Loose) {
  return {
    ...attributes(body, { skip: ['check', 'meta', 'canary_meta', 'connect', 'tagged_addresses'], renames: { port: 'PortLabel', task: 'TaskName' } }),
    Checks: mapBlocks(body.check, check),
    Meta: stringMap(body.meta) ?? null,
    CanaryMeta: stringMap(body.canary_meta) ?? null,
    Connect: single(body.connect) ?? null,
  };
}

function resources(body: Loose) {
  const devices = labelled(body.device).map(([name, device]) => ({
    Name: name,
    Count: device.count ?? 1,
    Constraints: blocks(device.constraint).map(constraint),
    Affinities: blocks(device.affinity).map(affinity),
  }));
  return {
    ...attributes(body, {
      skip: ['device', 'network', 'numa'],
      renames: { cpu: 'CPU', cores: 'Cores', memory: 'MemoryMB', memory_max: 'MemoryMaxMB', disk: 'DiskMB', iops: 'IOPS', secrets: 'SecretsMB' },
    }),
    Networks: mapBlocks(body.network, network) ?? undefined,
    Devices: devices.length > 0 ? devices : undefined,
    NUMA: single(body.numa) ?? undefined,
  };
}

function template(body: Loose) {
  const wait = single(body.wait);
  return {
    ...attributes(body, {
      skip: ['wait', 'change_script'],
      renames: {
        data: 'EmbeddedTmpl',
        source: 'SourcePath',
        destination: 'DestPath',
        left_delimiter: 'LeftDelim',
        right_delimiter: 'RightDelim',
        env: 'Envvars',
        perms: 'Perms',
        vault_grace: 'VaultGrace',
        error_on_missing_key: 'ErrMissingKey',
      },
      durations: ['splay', 'vault_grace'],
    }),
    Wait: wait ? { Min: wait.min === undefined ? null : duration(wait.min, 'wait.min'), Max: wait.max === undefined ? null : duration(wait.max, 'wait.max') } : null,
    ChangeScript: optionalAttributes(body.change_script, { durations: ['timeout'] }),
  };
}

function artifact(body: Loose) {
  return {
    GetterSource: body.source ?? '',
    RelativeDest: body.destination,
    GetterMode: body.mode ?? 'any',
    GetterOptions: stringMap(body.options) ?? null,
    GetterHeaders: stringMap(body.headers) ?? null,
    GetterInsecure: body.insecure ?? false,
  };
}

function task(name: string, body: Loose) {
  const logs = single(body.logs);
  const lifecycle = single(body.lifecycle);
  const resourcesBlock = single(body.resources);
  return {
    ...attributes(body, {
      skip: [
        'config', 'env', 'meta', 'resources', 'logs', 'template', 'artifact', 'service', 'constraint', 'affinity', 'lifecycle', 'restart',
        'dispatch_payload', 'volume_mount', 'action', 'vault', 'identity', 'scaling', 'csi_plugin', 'consul', 'kill_timeout', 'shutdown_delay',
      ],
    }),
    Name: name,
    Driver: body.driver ?? '',
    Config: Object.assign({}, ...blocks(body.config)),
    Env: stringMap(body.env) ?? null,
    Meta: stringMap(body.meta) ?? null,
    Resources: resourcesBlock ? resources(resourcesBlock) : null,
    LogConfig: logs ? { MaxFiles: logs.max_files, MaxFileSizeMB: logs.max_file_size, Disabled: logs.disabled ?? logs.enabled === false } : null,
    Templates: mapBlocks(body.template, template),
    Artifacts: mapBlocks(body.artifact, artifact),
    Services: mapBlocks(body.service, service),
    Constraints: mapBlocks(body.constraint, constraint),
    Affinities: mapBlocks(body.affinity, affinity),
    Lifecycle: lifecycle ? { Hook: lifecycle.hook ?? '', Sidecar: lifecycle.sidecar ?? false } : null,
    RestartPolicy: optionalAttributes(body.restart, RESTART),
    DispatchPayload: single(body.dispatch_payload) ? { File: single(body.dispatch_payload)!.file ?? '' } : null,
    VolumeMounts: mapBlocks(body.volume_mount, (mount) => attributes(mount)),
    Actions: mapLabelled(body.action, (action, spec) => ({ Name: action, Command: spec.command ?? '', Args: spec.args ?? null })),
    Vault: optionalAttributes(body.vault),
    Identity: optionalAttributes(body.identity, { renames: { aud: 'Audience' }, durations: ['ttl'] }),
    ScalingPolicies: mapLabelled(body.scaling, (type, policy) => scaling(policy, type)),
    CSIPluginConfig: optionalAttributes(body.csi_plugin),
    KillTimeout: body.kill_timeout === undefined ? null : duration(body.kill_timeout, `task.${name}.kill_timeout`),
    ShutdownDelay: body.shutdown_delay === undefined ? 0 : duration(body.shutdown_delay, `task.${name}.shutdown_delay`),
  };
}

function scaling(body: Loose, type = 'horizontal') {
  return {
    Type: type,
    Min: body.min ?? null,
    Max: body.max ?? null,
    Enabled: body.enabled ?? true,
    Policy: single(body.policy) ?? null,
  };
}

function group(name: string, body: Loose) {
  const volumes = labelled(body.volume);
  const scalingBlock = single(body.scaling);
  return {
    ...attributes(body, {
      skip: [
        'task', 'constraint', 'affinity', 'spread', 'update', 'migrate', 'restart', 'reschedule', 'ephemeral_disk', 'network', 'service', 'volume',
        'meta', 'scaling', 'consul', 'disconnect', 'shutdown_delay', 'stop_after_client_disconnect', 'max_client_disconnect',
      ],
    }),
    Name: name,
    Count: wholeNumber(body.count ?? null, `group.${name}.count`),
    Constraints: mapBlocks(body.constraint, constraint),
    Affinities: mapBlocks(body.affinity, affinity),
    Spreads: mapBlocks(body.spread, spread),
    Tasks: labelled(body.task).map(([taskName, taskBody]) => task(taskName, taskBody)),
    Update: optionalAttributes(body.update, UPDATE),
    Migrate: optionalAttributes(body.migrate, MIGRATE),
    RestartPolicy: optionalAttributes(body.restart, RESTART),
    ReschedulePolicy: optionalAttributes(body.reschedule, RESCHEDULE),
    EphemeralDisk: optionalAttributes(body.ephemeral_disk, { renames: { size: 'SizeMB' } }),
    Networks: mapBlocks(body.network, network),
    Services: mapBlocks(body.service, service),
    Volumes: volumes.length > 0 ? Object.fromEntries(volumes.map(([volume, spec]) => [volume, { Name: volume, ...attributes(spec) }])) : null,
    Meta: stringMap(body.meta) ?? null,
    Scaling: scalingBlock ? scaling(scalingBlock) : null,
    Consul: single(body.consul) ?? null,
    Disconnect: optionalAttributes(body.disconnect, { durations: ['lost_after', 'stop_on_client_after'] }),
    ShutdownDelay: body.shutdown_delay === undefined ? null : duration(body.shutdown_delay, `group.${name}.shutdown_delay`),
    StopAfterClientDisconnect:
      body.stop_after_client_disconnect === undefined ? null : duration(body.stop_after_client_disconnect, `group.${name}.stop_after_client_disconnect`),
    MaxClientDisconnect: body.max_client_disconnect === undefined ? null : duration(body.max_client_disconnect, `group.${name}.max_client_disconnect`),
  };
}

/** The API Job's top-level fields, all present as Nomad's api.Job marshals them. */
const JOB_FIELDS = [
  'Region', 'Namespace', 'ID', 'Name', 'Type', 'Priority', 'AllAtOnce', 'Datacenters', 'NodePool', 'Constraints', 'Affinities', 'TaskGroups',
  'Update', 'Multiregion', 'Spreads', 'Periodic', 'ParameterizedJob', 'Reschedule', 'Migrate', 'Meta', 'UI', 'ConsulToken', 'VaultToken',
  'ConsulNamespace', 'VaultNamespace', 'NomadTokenID', 'Stop', 'ParentID', 'Dispatched', 'DispatchIdempotencyToken', 'Payload', 'Status',
  'StatusDescription', 'Stable', 'Version', 'SubmitTime', 'CreateIndex', 'ModifyIndex', 'JobModifyIndex', 'VersionTag',
];

export function jobFromHcl(root: Loose): Loose {
  const jobs = labelled(root.job);
  if (jobs.length === 0) throw new JobspecError('Missing job block: a jobspec needs one `job "<name>" { … }` block.');
  if (jobs.length > 1) throw new JobspecError('Duplicate job block: only one job block is allowed in a jobspec');
  const [id, body] = jobs[0];
  const periodic = single(body.periodic);
  const parameterized = single(body.parameterized);
  const job: Loose = Object.fromEntries(JOB_FIELDS.map((field) => [field, null]));
  Object.assign(job, {
    ...attributes(body, {
      skip: ['group', 'constraint', 'affinity', 'spread', 'update', 'periodic', 'parameterized', 'reschedule', 'migrate', 'meta', 'multiregion', 'ui', 'vault', 'consul'],
    }),
    ID: body.id ?? id,
    Name: body.name ?? id,
    TaskGroups: labelled(body.group).map(([name, groupBody]) => group(name, groupBody)),
    Constraints: mapBlocks(body.constraint, constraint),
    Affinities: mapBlocks(body.affinity, affinity),
    Spreads: mapBlocks(body.spread, spread),
    Update: optionalAttributes(body.update, UPDATE),
    Periodic: periodic
      ? {
          Enabled: periodic.enabled ?? true,
          Spec: periodic.cron ?? '',
          Specs: periodic.crons ?? null,
          SpecType: 'cron',
          ProhibitOverlap: periodic.prohibit_overlap ?? false,
          TimeZone: periodic.time_zone ?? 'UTC',
        }
      : null,
    ParameterizedJob: parameterized
      ? { Payload: parameterized.payload ?? 'optional', MetaRequired: parameterized.meta_required ?? null, MetaOptional: parameterized.meta_optional ?? null }
      : null,
    Reschedule: optionalAttributes(body.reschedule, RESCHEDULE),
    Migrate: optionalAttributes(body.migrate, MIGRATE),
    Meta: stringMap(body.meta) ?? null,
    Multiregion: single(body.multiregion) ?? null,
    UI: single(body.ui) ?? null,
  });
  if (job.TaskGroups.length === 0) job.TaskGroups = null;
  return job;
}
