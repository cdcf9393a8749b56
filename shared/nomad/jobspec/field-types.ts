/**
 * The typed fields of a submitted job, checked as Go's JSON decoder checks them when Nomad
 * decodes the body into api.Job: a fraction, a number out of an integer field's range, or a value
 * of another type fails the whole request with the decoder's text, e.g.
 * `json: cannot unmarshal number 1.5 into Go struct field TaskGroup.Job.TaskGroups.Count of type int`.
 * Our range for `int` and durations is JavaScript's exact integers (±2^53), not Go's int64. Pure.
 */
export type GoInteger = 'int' | 'int64' | 'uint64' | 'int8' | 'uint8' | 'time.Duration' | 'int64 (unix ns)';
export type GoType = GoInteger | 'string' | '[]string';

const RANGES: Record<GoInteger, [number, number]> = {
  int: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  int64: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
  'time.Duration': [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  int8: [-128, 127],
  uint8: [0, 255],
  // Timestamps in unix nanoseconds are past 2^53: Go's whole range (to the largest double below 2^63), read as the nearest double.
  'int64 (unix ns)': [-(2 ** 63), 2 ** 63 - 1024],
};

/** The Go type a decoder error names. */
const goName = (type: GoType) => (type === '[]string' ? 'string' : type === 'int64 (unix ns)' ? 'int64' : type);

const DURATIONS = [
  'KillTimeout',
  'ShutdownDelay',
  'Stagger',
  'MinHealthyTime',
  'HealthyDeadline',
  'ProgressDeadline',
  'Interval',
  'Delay',
  'MaxDelay',
  'Timeout',
  'StopAfterClientDisconnect',
  'MaxClientDisconnect',
  'LostAfter',
  'Splay',
  'StopOnClientAfter',
  'TTL',
  'Grace',
  'VaultGrace',
  'HealthTimeout',
  'ConnectTimeout',
];
const INTS = [
  'Priority',
  'Count',
  'CPU',
  'Cores',
  'MemoryMB',
  'MemoryMaxMB',
  'DiskMB',
  'IOPS',
  'SizeMB',
  'MaxFiles',
  'MaxFileSizeMB',
  'Attempts',
  'MaxParallel',
  'Canary',
  'Port.Value',
  'Port.To',
  'MBits',
  'SuccessBeforePassing',
  'FailuresBeforeCritical',
  'FailuresBeforeWarning',
  'SecretsMB',
  'Uid',
  'Gid',
  'CheckRestart.Limit',
  'LocalServicePort',
  'LocalBindPort',
];

const STRINGS = [
  'ID',
  'Name',
  'Type',
  'Region',
  'Namespace',
  'NodePool',
  'ParentID',
  'Driver',
  'User',
  'LTarget',
  'RTarget',
  'Operand',
  'Attribute',
  'Label',
  'Mode',
  'DelayFunction',
  'HealthCheck',
  'Hook',
  'KillSignal',
  'Spec',
  'SpecType',
  'TimeZone',
];

/** By field name, or `Struct.Field` where the name has that type in that struct only. */
const FIELD_TYPES = new Map<string, GoType>([
  ...STRINGS.map((name) => [name, 'string'] as const),
  ...['Datacenters', 'MetaRequired', 'MetaOptional', 'Specs'].map((name) => [name, '[]string'] as const),
  ...DURATIONS.map((name) => [name, 'time.Duration'] as const),
  ...INTS.map((name) => [name, 'int'] as const),
  ['Min', 'int64'],
  ['Max', 'int64'],
  ['Weight', 'int8'],
  ['Percent', 'uint8'],
  ['Job.Version', 'uint64'],
  ['Job.SubmitTime', 'int64 (unix ns)'],
  ['CreateIndex', 'uint64'],
  ['ModifyIndex', 'uint64'],
  ['JobModifyIndex', 'uint64'],
  ['TaggedTime', 'int64 (unix ns)'],
  ['RequestedDevice.Count', 'uint64'],
]);

/** The Go struct a field's value decodes into, where its name is not the struct's. */
const STRUCT_OF: Record<string, string> = {
  Job: 'Job',
  TaskGroups: 'TaskGroup',
  Tasks: 'Task',
  Update: 'UpdateStrategy',
  Migrate: 'MigrateStrategy',
  Networks: 'NetworkResource',
  ReservedPorts: 'Port',
  DynamicPorts: 'Port',
  Affinities: 'Affinity',
  Spreads: 'Spread',
  Services: 'Service',
  Checks: 'ServiceCheck',
  Scaling: 'ScalingPolicy',
  Periodic: 'PeriodicConfig',
  ParameterizedJob: 'ParameterizedJobConfig',
  Constraints: 'Constraint',
  Lifecycle: 'TaskLifecycle',
  Disconnect: 'DisconnectStrategy',
  Templates: 'Template',
  Artifacts: 'TaskArtifact',
  Devices: 'RequestedDevice',
  VersionTag: 'JobVersionTag',
  Identities: 'WorkloadIdentity',
  Identity: 'WorkloadIdentity',
  Regions: 'MultiregionRegion',
};

/** Fields holding one struct, or a list of them, of the Go struct STRUCT_OF names (or the field's own name). */
const STRUCTS = new Set(['VersionTag', 'Identity', 'Resources', 'Update', 'Migrate', 'RestartPolicy', 'ReschedulePolicy', 'EphemeralDisk', 'LogConfig', 'Periodic', 'ParameterizedJob', 'Lifecycle', 'Scaling', 'Disconnect']);
const LISTS = new Set(['TaskGroups', 'Tasks', 'Constraints', 'Affinities', 'Spreads', 'SpreadTarget', 'Networks', 'ReservedPorts', 'DynamicPorts', 'Services', 'Checks', 'Templates', 'Artifacts', 'Devices', 'Identities']);

/** Free-form maps: Go decodes them without a schema, so they are not walked. */
const STRING_MAPS = new Set(['Meta', 'Env']);
const OPAQUE = new Set(['Config', 'Meta', 'Env', 'Policy', 'Target', 'Header', 'Options', 'Payload', 'VariableFlags']);

/** Go's own words for a JSON value's kind. */
function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What the decoder names in its error (`number 1.5`, `string`), or undefined when the value fits. */
export function typeProblem(value: unknown, type: GoType): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (type === '[]string') {
    if (!Array.isArray(value)) return kindOf(value);
    const bad = value.find((item) => typeof item !== 'string' && item !== null);
    return bad === undefined ? undefined : kindOf(bad);
  }
  if (type === 'string') return typeof value === 'string' ? undefined : kindOf(value);
  if (typeof value !== 'number') return kindOf(value);
  const [min, max] = RANGES[type];
  return Number.isInteger(value) && value >= min && value <= max ? undefined : `number ${value}`;
}

/** Where a name that is a struct elsewhere is a plain value. */
const NOT_STRUCTS = new Set(['EphemeralDisk.Migrate']);

/** A struct, list or map field holding the wrong kind of value: what the decoder names, and the Go type it names. */
function shapeProblem(struct: string, field: string, value: unknown): [string, string] | undefined {
  if (value === null || value === undefined || NOT_STRUCTS.has(`${struct}.${field}`)) return undefined;
  const type = `api.${STRUCT_OF[field] ?? field}`;
  if (STRUCTS.has(field) && !isObject(value)) return [kindOf(value), type];
  if (LISTS.has(field)) {
    if (!Array.isArray(value)) return [kindOf(value), `[]*${type}`];
    const bad = value.find((item) => item !== null && !isObject(item));
    return bad === undefined ? undefined : [kindOf(bad), type];
  }
  if (STRING_MAPS.has(field)) {
    if (!isObject(value)) return [kindOf(value), 'map[string]string'];
    const bad = Object.values(value as object).find((item) => item !== null && typeof item !== 'string');
    return bad === undefined ? undefined : [kindOf(bad), 'string'];
  }
  if (field === 'Config' && !isObject(value)) return [kindOf(value), 'map[string]interface {}'];
  return undefined;
}

type FieldCheck = (field: string, value: unknown, type: GoType | undefined, struct: string, path: string) => string | undefined;

/** The first problem `check` finds, walking the fields of `job` in document order into every struct that is not free-form. */
function firstFieldProblem(job: unknown, path: string, check: FieldCheck): string | undefined {
  const stack: { value: unknown; struct: string; path: string }[] = [{ value: job, struct: STRUCT_OF[path] ?? path, path }];
  while (stack.length > 0) {
    const { value, struct, path: at } = stack.pop()!;
    if (Array.isArray(value)) {
      for (const item of [...value].reverse()) stack.push({ value: item, struct, path: at });
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    const nested: typeof stack = [];
    for (const [field, inner] of Object.entries(value)) {
      const type = OPAQUE.has(field) ? undefined : (FIELD_TYPES.get(`${struct}.${field}`) ?? FIELD_TYPES.get(field));
      const problem = check(field, inner, type, struct, at);
      if (problem) return problem;
      if (OPAQUE.has(field)) continue;
      if (typeof inner === 'object' && inner !== null) nested.push({ value: inner, struct: STRUCT_OF[field] ?? field, path: `${at}.${field}` });
    }
    // Walked in document order, so the first bad field is the one Go's decoder stops at.
    stack.push(...nested.reverse());
  }
  return undefined;
}

/**
 * The decoder's error for the first badly typed field of `job`, or undefined. `path` is where
 * the job sits in the request (`Job` for a register, plan or validate body).
 */
export function fieldTypeProblem(job: unknown, path = 'Job'): string | undefined {
  return firstFieldProblem(job, path, (field, inner, type, struct, at) => {
    const decodeError = (what: string, goType: string) => `json: cannot unmarshal ${what} into Go struct field ${struct}.${at}.${field} of type ${goType}`;
    const shape = shapeProblem(struct, field, inner);
    if (shape) return decodeError(...shape);
    const problem = type && typeProblem(inner, type);
    return problem ? decodeError(problem, goName(type)) : undefined;
  });
}

/** What Go names as an integer type's range (ours stops at ±2^53, see above). */
const GO_BOUNDS: Record<GoInteger, string> = {
  int: 'between -9223372036854775808 and 9223372036854775807',
  int64: 'between -9223372036854775808 and 9223372036854775807',
  'time.Duration': 'between -9223372036854775808 and 9223372036854775807',
  uint64: 'between 0 and 18446744073709551615',
  int8: 'between -128 and 127',
  uint8: 'between 0 and 255',
  'int64 (unix ns)': 'between -9223372036854775808 and 9223372036854775807',
};

/**
 * For a job decoded from HCL: the first number in an integer attribute that is fractional or out
 * of its type's range, in the words gohcl refuses it with (`<path>: Unsuitable value type; …`).
 */
export function hclIntegerProblem(job: unknown): string | undefined {
  return firstFieldProblem(job, 'Job', (field, inner, type, _struct, at) => {
    if (!type || type === 'string' || type === '[]string' || typeof inner !== 'number' || !typeProblem(inner, type)) return undefined;
    return `${at}.${field}: Unsuitable value type; Unsuitable value: value must be a whole number, ${GO_BOUNDS[type]}`;
  });
}
