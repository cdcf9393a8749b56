import { ConfigError } from './errors';
import { parseDurationSeconds } from './duration';
import { isMap, type YamlMap } from './load';
import type {
  ArtifactsDefinition,
  CacheDefinition,
  CrossNeedDefinition,
  EnvironmentDefinition,
  ImageDefinition,
  NeedDefinition,
  RetryDefinition,
  ServiceDefinition,
  TriggerDefinition,
  When,
} from './types';

/**
 * Reads the keywords of one job (after `extends` and `default`) into plain definitions, with
 * GitLab's validation messages. `location` is GitLab's prefix, e.g. `jobs:rspec`.
 */
const JOB_KEYS = new Set([
  'script',
  'before_script',
  'after_script',
  'image',
  'services',
  'stage',
  'variables',
  'when',
  'start_in',
  'allow_failure',
  'needs',
  'dependencies',
  'tags',
  'artifacts',
  'cache',
  'retry',
  'timeout',
  'trigger',
  'rules',
  'only',
  'except',
  'coverage',
  'interruptible',
  'environment',
  'inherit',
  'description',
  'parallel',
  'resource_group',
  'hooks',
  'id_tokens',
]);

/** Keywords GitLab knows that change what runs, which this server does not implement. */
const UNSUPPORTED_JOB_KEYS = new Set(['release', 'secrets', 'pages', 'run', 'identity', 'dast_configuration', 'manual_confirmation', 'inputs', 'publish']);

const WHEN_VALUES: When[] = ['on_success', 'on_failure', 'always', 'manual', 'delayed'];
const ARTIFACT_WHEN = ['on_success', 'on_failure', 'always'] as const;
const ONE_WEEK = 7 * 24 * 3600;

/**
 * `script`, `before_script` and `after_script` (GitLab's `Entry::Commands`): a string, or an array
 * of strings nested (one level per `!reference`) up to 10 levels. Numbers and booleans are not
 * strings here, unlike in lists such as `artifacts:paths`.
 */
export function commands(location: string, key: string, value: unknown): string[] {
  const flatten = (item: unknown, depth: number): string[] | undefined => {
    if (typeof item === 'string') return [item];
    if (!Array.isArray(item) || depth >= 10) return undefined;
    const lines: string[] = [];
    for (const entry of item) {
      const flat = flatten(entry, depth + 1);
      if (!flat) return undefined;
      lines.push(...flat);
    }
    return lines;
  };
  if (value === undefined || value === null) return [];
  const lines = flatten(value, 0);
  if (!lines) throw new ConfigError([`${location}:${key} config should be a string or a nested array of strings up to 10 levels deep`]);
  return lines;
}

export function stringList(location: string, key: string, value: unknown, depth = 0): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  // Script arrays may nest (one level per !reference) up to 10 levels, as in GitLab.
  if (Array.isArray(value) && depth < 10) return value.flatMap((item) => stringList(location, key, item, depth + 1));
  throw new ConfigError([`${location} ${key} config should be a string or a nested array of strings up to 10 levels deep`]);
}

export function image(location: string, value: unknown): ImageDefinition | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return { name: value, entrypoint: null, pullPolicy: null };
  if (isMap(value) && typeof value.name === 'string') {
    return {
      name: value.name,
      entrypoint: value.entrypoint === undefined ? null : stringList(location, 'image:entrypoint', value.entrypoint),
      pullPolicy: value.pull_policy === undefined ? null : stringList(location, 'image:pull_policy', value.pull_policy),
    };
  }
  throw new ConfigError([`${location}:image config should be a hash or a string`]);
}

export function services(location: string, value: unknown): ServiceDefinition[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ConfigError([`${location}:services config should be a array`]);
  return value.map((item) => {
    const base = image(`${location}:services:service`, item)!;
    const map = isMap(item) ? item : {};
    return {
      ...base,
      alias: typeof map.alias === 'string' ? map.alias : null,
      command: map.command === undefined ? null : stringList(location, 'services:command', map.command),
      variables: isMap(map.variables) ? Object.fromEntries(Object.entries(map.variables).map(([k, v]) => [k, String(v)])) : null,
    };
  });
}

export function when(location: string, value: unknown): When {
  if (value === undefined) return 'on_success';
  if (typeof value !== 'string' || !WHEN_VALUES.includes(value as When)) {
    throw new ConfigError([`${location} when should be one of: ${WHEN_VALUES.join(', ')}`]);
  }
  return value as When;
}

export function startIn(location: string, jobWhen: When, value: unknown): number | null {
  if (jobWhen !== 'delayed') {
    if (value !== undefined) throw new ConfigError([`${location} start in must be blank`]);
    return null;
  }
  if (value === undefined) throw new ConfigError([`${location} start in should be a duration`]);
  const seconds = parseDurationSeconds(value as string);
  if (seconds === undefined) throw new ConfigError([`${location} start in should be a duration`]);
  if (seconds > ONE_WEEK) throw new ConfigError([`${location} start in should not exceed the limit`]);
  return seconds;
}

export function allowFailure(location: string, value: unknown): { allowFailure: boolean | null; exitCodes: number[] } {
  if (value === undefined) return { allowFailure: null, exitCodes: [] };
  if (typeof value === 'boolean') return { allowFailure: value, exitCodes: [] };
  if (isMap(value) && value.exit_codes !== undefined) {
    const codes = Array.isArray(value.exit_codes) ? value.exit_codes : [value.exit_codes];
    if (codes.every((code) => Number.isInteger(code))) return { allowFailure: false, exitCodes: codes as number[] };
  }
  throw new ConfigError([`${location} allow failure should be a hash or a boolean value`]);
}

const NEED_KEYS = new Set(['job', 'artifacts', 'optional', 'parallel', 'project', 'ref', 'pipeline']);

/** `needs` split as GitLab splits it: jobs of this pipeline, and jobs of another project's or the parent pipeline. */
export function needs(location: string, value: unknown): { needs: NeedDefinition[] | null; crossNeeds: CrossNeedDefinition[] } {
  if (value === undefined) return { needs: null, crossNeeds: [] };
  if (!Array.isArray(value)) throw new ConfigError([`${location} needs config should be an array`]);
  if (value.length > 50) throw new ConfigError([`${location} needs config has too many entries (maximum 50)`]);
  const local: NeedDefinition[] = [];
  const cross: CrossNeedDefinition[] = [];
  // A `!reference` to another job's needs is a list inside the list.
  for (const need of value.flat()) {
    if (typeof need === 'string') {
      local.push({ job: need, artifacts: true, optional: false });
      continue;
    }
    if (!isMap(need)) throw new ConfigError([`${location}:needs:need config can only be a string or a hash`]);
    const unknown = Object.keys(need).filter((key) => !NEED_KEYS.has(key));
    if (unknown.length > 0) throw new ConfigError([`${location}:needs:need config contains unknown keys: ${unknown.join(', ')}`]);
    if (typeof need.job !== 'string') throw new ConfigError([`${location}:needs:need job config can't be blank`]);
    if (need.artifacts !== undefined && typeof need.artifacts !== 'boolean') throw new ConfigError([`${location}:needs:need artifacts should be a boolean value`]);
    if (need.project !== undefined || need.pipeline !== undefined) {
      if (need.project !== undefined && typeof need.project !== 'string') throw new ConfigError([`${location}:needs:need project should be a string`]);
      if (need.project !== undefined && typeof need.ref !== 'string') throw new ConfigError([`${location}:needs:need ref should be a string`]);
      cross.push({
        job: need.job,
        artifacts: need.artifacts !== false,
        project: typeof need.project === 'string' ? need.project : null,
        ref: typeof need.ref === 'string' ? need.ref : null,
        pipeline: need.pipeline === undefined ? null : String(need.pipeline),
      });
      continue;
    }
    local.push({ job: need.job, artifacts: need.artifacts !== false, optional: need.optional === true });
  }
  return { needs: local, crossNeeds: cross };
}

const ENVIRONMENT_KEYS = new Set(['name', 'url', 'action', 'on_stop', 'auto_stop_in', 'kubernetes', 'deployment_tier']);
const ENVIRONMENT_ACTIONS = ['start', 'prepare', 'stop', 'verify', 'access'] as const;
const DEPLOYMENT_TIERS = ['production', 'staging', 'testing', 'development', 'other'] as const;
export const ENVIRONMENT_NAME = /^[a-zA-Z0-9_/${}. -]+$/;

/** `environment` (GitLab's `Entry::Environment`), name and url as written; they are expanded when the job is created. */
export function environment(location: string, value: unknown): EnvironmentDefinition | null {
  if (value === undefined || value === null) return null;
  const spec = typeof value === 'string' ? { name: value } : value;
  if (!isMap(spec)) throw new ConfigError([`${location}:environment config should be a hash or a string`]);
  const unknown = Object.keys(spec).filter((key) => !ENVIRONMENT_KEYS.has(key));
  if (unknown.length > 0) throw new ConfigError([`${location}:environment config contains unknown keys: ${unknown.join(', ')}`]);
  const prefix = `${location}:environment`;
  if (spec.name === undefined || spec.name === null || spec.name === '') throw new ConfigError([`${prefix} name can't be blank`]);
  if (typeof spec.name !== 'string') throw new ConfigError([`${prefix} name should be a string`]);
  if (spec.name.length > 255) throw new ConfigError([`${prefix} name is too long (maximum is 255 characters)`]);
  if (!ENVIRONMENT_NAME.test(spec.name) || spec.name.startsWith('/') || spec.name.endsWith('/')) {
    throw new ConfigError([`${prefix} name can contain only letters, digits, '-', '_', '/', '$', '{', '}', '.', and spaces, but it cannot start or end with '/'`]);
  }
  if (spec.url !== undefined && spec.url !== null && typeof spec.url !== 'string') throw new ConfigError([`${prefix} url should be a string`]);
  const action = spec.action ?? 'start';
  if (!ENVIRONMENT_ACTIONS.includes(action as never)) throw new ConfigError([`${prefix} action should be start, stop, prepare, verify, or access`]);
  if (spec.on_stop !== undefined && typeof spec.on_stop !== 'string') throw new ConfigError([`${prefix} on stop should be a string`]);
  if (spec.auto_stop_in !== undefined && spec.auto_stop_in !== null) {
    if (typeof spec.auto_stop_in !== 'string' || (spec.auto_stop_in !== 'never' && parseDurationSeconds(spec.auto_stop_in) === undefined)) {
      throw new ConfigError([`${prefix} auto stop in should be a duration`]);
    }
  }
  if (spec.deployment_tier !== undefined && spec.deployment_tier !== null && !DEPLOYMENT_TIERS.includes(spec.deployment_tier as never)) {
    throw new ConfigError([`${prefix} deployment tier must be one of ${DEPLOYMENT_TIERS.join(', ')}`]);
  }
  return {
    name: spec.name,
    url: typeof spec.url === 'string' ? spec.url : null,
    action: action as EnvironmentDefinition['action'],
    onStop: typeof spec.on_stop === 'string' ? spec.on_stop : null,
    autoStopIn: typeof spec.auto_stop_in === 'string' ? spec.auto_stop_in : null,
    deploymentTier: (spec.deployment_tier as EnvironmentDefinition['deploymentTier']) ?? null,
  };
}

/** `hooks` (GitLab's `Entry::Hooks`): commands the runner runs before it fetches the sources. */
export function hooks(location: string, value: unknown): { preGetSourcesScript: string[] } | null {
  if (value === undefined || value === null) return null;
  if (!isMap(value)) throw new ConfigError([`${location}:hooks config should be a hash`]);
  const unknown = Object.keys(value).filter((key) => key !== 'pre_get_sources_script');
  if (unknown.length > 0) throw new ConfigError([`${location}:hooks config contains unknown keys: ${unknown.join(', ')}`]);
  return { preGetSourcesScript: commands(`${location}:hooks`, 'pre_get_sources_script', value.pre_get_sources_script) };
}

/** `id_tokens` (GitLab's `Entry::IdToken`): name → `aud` (a string or a list); values are expanded when the job runs. */
export function idTokens(location: string, value: unknown): Record<string, string | string[]> | null {
  if (value === undefined || value === null) return null;
  if (!isMap(value)) throw new ConfigError([`${location}:id_tokens config should be a hash`]);
  const tokens: Record<string, string | string[]> = {};
  for (const [name, spec] of Object.entries(value)) {
    const prefix = `${location}:id_tokens:${name}`;
    if (!isMap(spec)) throw new ConfigError([`${prefix} config should be a hash`]);
    const unknown = Object.keys(spec).filter((key) => key !== 'aud');
    if (unknown.length > 0) throw new ConfigError([`${prefix} config contains unknown keys: ${unknown.join(', ')}`]);
    if (spec.aud === undefined) throw new ConfigError([`${prefix} config missing required keys: aud`]);
    const aud = spec.aud;
    if (!(typeof aud === 'string' || (Array.isArray(aud) && aud.every((item) => typeof item === 'string')))) {
      throw new ConfigError([`${prefix} aud should be an array of strings or a string`]);
    }
    tokens[name] = aud as string | string[];
  }
  return tokens;
}

export function resourceGroup(location: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new ConfigError([`${location} resource group should be a string`]);
  return value;
}

export function artifacts(location: string, value: unknown): ArtifactsDefinition | null {
  if (value === undefined || value === null) return null;
  if (!isMap(value)) throw new ConfigError([`${location}:artifacts config should be a hash`]);
  const allowed = new Set(['name', 'paths', 'exclude', 'untracked', 'when', 'expire_in', 'public', 'reports', 'expose_as', 'access']);
  const unknown = Object.keys(value).filter((key) => !allowed.has(key));
  if (unknown.length > 0) throw new ConfigError([`${location}:artifacts config contains unknown keys: ${unknown.join(', ')}`]);
  const artifactWhen = value.when ?? 'on_success';
  if (!ARTIFACT_WHEN.includes(artifactWhen as never)) {
    throw new ConfigError([`${location}:artifacts when should be on_success, on_failure or always`]);
  }
  let expireIn: string | null = null;
  if (value.expire_in !== undefined && value.expire_in !== null) {
    expireIn = String(value.expire_in);
    if (expireIn !== 'never' && parseDurationSeconds(expireIn) === undefined) {
      throw new ConfigError([`${location}:artifacts expire in should be a duration`]);
    }
  }
  const reports: Record<string, string[]> = {};
  if (value.reports !== undefined) {
    if (!isMap(value.reports)) throw new ConfigError([`${location}:artifacts:reports config should be a hash`]);
    for (const [type, paths] of Object.entries(value.reports)) reports[type] = stringList(`${location}:artifacts:reports`, type, paths);
  }
  return {
    name: value.name === undefined ? null : String(value.name),
    paths: stringList(`${location}:artifacts`, 'paths', value.paths),
    exclude: stringList(`${location}:artifacts`, 'exclude', value.exclude),
    untracked: value.untracked === true,
    when: artifactWhen as ArtifactsDefinition['when'],
    expireIn,
    public: value.public !== false,
    reports,
  };
}

export function cache(location: string, value: unknown): CacheDefinition[] {
  if (value === undefined || value === null) return [];
  const entries = Array.isArray(value) ? value : [value];
  return entries.map((entry) => {
    if (!isMap(entry)) throw new ConfigError([`${location}:cache config should be a hash`]);
    const key = isMap(entry.key) ? 'default' : entry.key === undefined ? 'default' : String(entry.key);
    return {
      key,
      paths: stringList(`${location}:cache`, 'paths', entry.paths),
      untracked: entry.untracked === true,
      policy: (entry.policy as CacheDefinition['policy']) ?? 'pull-push',
      when: (entry.when as CacheDefinition['when']) ?? 'on_success',
    };
  });
}

export function retry(location: string, value: unknown): RetryDefinition | null {
  if (value === undefined || value === null) return null;
  const spec = isMap(value) ? value : { max: value };
  const max = spec.max ?? 0;
  if (!Number.isInteger(max) || (max as number) < 0 || (max as number) > 2) {
    throw new ConfigError([`${location}:retry max config must be less than or equal to 2`]);
  }
  return {
    max: max as number,
    when: stringList(`${location}:retry`, 'when', spec.when ?? 'always'),
    exitCodes: (Array.isArray(spec.exit_codes) ? spec.exit_codes : spec.exit_codes === undefined ? [] : [spec.exit_codes]).map(Number),
  };
}

export function timeout(location: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  const seconds = parseDurationSeconds(value as string);
  if (seconds === undefined || seconds <= 0) throw new ConfigError([`${location} timeout config should be a duration`]);
  return seconds;
}

const TRIGGER_INCLUDE_KEYS = new Set(['local', 'project', 'file', 'ref', 'artifact', 'job', 'inputs', 'template', 'remote', 'component']);

/** `trigger:include` entries (GitLab's `Entry::Trigger` includes): local files, another project's files, a job's artifact; with `inputs`. */
function includeEntries(location: string, value: unknown): Record<string, unknown>[] {
  const entries = Array.isArray(value) ? value : [value];
  if (entries.length > 3) throw new ConfigError([`${location}:trigger:include config must be less than or equal to 3`]);
  return entries.map((entry) => {
    if (typeof entry === 'string') return { local: entry };
    if (!isMap(entry)) throw new ConfigError([`${location}:trigger:include config should be a hash, a string or an array of hashes and strings`]);
    const unknown = Object.keys(entry).filter((key) => !TRIGGER_INCLUDE_KEYS.has(key));
    if (unknown.length > 0) throw new ConfigError([`${location}:trigger:include config contains unknown keys: ${unknown.join(', ')}`]);
    for (const type of ['template', 'remote', 'component']) {
      if (entry[type] !== undefined) throw new ConfigError([`${location}:trigger:include uses include:${type}, which this server does not support (only files of this server's projects can be included)`]);
    }
    if (entry.inputs !== undefined && !isMap(entry.inputs)) throw new ConfigError([`${location}:trigger:include:inputs config must be a hash`]);
    if (typeof entry.local === 'string') return entry;
    if (typeof entry.project === 'string' && (typeof entry.file === 'string' || Array.isArray(entry.file))) return entry;
    if (typeof entry.artifact === 'string' && typeof entry.job === 'string') return entry;
    if (typeof entry.artifact === 'string') throw new ConfigError([`${location}:trigger:include config must specify the job where to fetch the artifact from`]);
    throw new ConfigError([`${location}:trigger:include config must specify a local file, a project file or an artifact`]);
  });
}

export function trigger(location: string, value: unknown): TriggerDefinition | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') {
    return { project: value, branch: null, include: [], strategy: null, forwardYamlVariables: true, forwardPipelineVariables: false };
  }
  if (!isMap(value)) throw new ConfigError([`${location} trigger config should be a string or a hash`]);
  const forward = isMap(value.forward) ? value.forward : {};
  const project = typeof value.project === 'string' ? value.project : null;
  const entries = value.include === undefined ? [] : includeEntries(location, value.include);
  const include = entries.flatMap((entry) => (typeof entry.local === 'string' ? [entry.local] : []));
  if (!project && entries.length === 0) throw new ConfigError([`${location}:trigger config is missing project or include`]);
  if (value.strategy !== undefined && value.strategy !== 'depend') {
    throw new ConfigError([`${location}:trigger strategy should be depend`]);
  }
  return {
    project,
    branch: typeof value.branch === 'string' ? value.branch : null,
    include,
    ...(entries.some((entry) => typeof entry.local !== 'string' || entry.inputs !== undefined) ? { includeEntries: entries } : {}),
    strategy: value.strategy === 'depend' ? 'depend' : null,
    forwardYamlVariables: forward.yaml_variables !== false,
    forwardPipelineVariables: forward.pipeline_variables === true,
  };
}

export function tags(location: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((tag) => typeof tag === 'string' || typeof tag === 'number')) {
    throw new ConfigError([`${location} tags should be an array of strings`]);
  }
  return [...new Set(value.map(String))];
}

export function checkKeys(location: string, job: YamlMap): void {
  const unsupported = Object.keys(job).filter((key) => UNSUPPORTED_JOB_KEYS.has(key));
  if (unsupported.length > 0) {
    throw new ConfigError([`${location} uses ${unsupported.join(', ')}, which this server does not support`]);
  }
  const unknown = Object.keys(job).filter((key) => !JOB_KEYS.has(key));
  if (unknown.length > 0) throw new ConfigError([`${location} config contains unknown keys: ${unknown.join(', ')}`]);
}
