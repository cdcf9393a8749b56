import { ConfigError } from './errors';
import { parseDurationSeconds } from './duration';
import { isMap, type YamlMap } from './load';
import type {
  ArtifactsDefinition,
  CacheDefinition,
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
]);

/** Keywords GitLab knows that change what runs, which this server does not implement. */
const UNSUPPORTED_JOB_KEYS = new Set(['parallel', 'resource_group', 'release', 'secrets', 'id_tokens', 'pages', 'hooks', 'run', 'identity', 'dast_configuration', 'manual_confirmation', 'inputs', 'publish']);

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

export function needs(location: string, value: unknown): NeedDefinition[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value)) throw new ConfigError([`${location} needs config should be an array`]);
  if (value.length > 50) throw new ConfigError([`${location} needs config has too many entries (maximum 50)`]);
  return value.map((need) => {
    if (typeof need === 'string') return { job: need, artifacts: true, optional: false };
    if (isMap(need) && typeof need.job === 'string' && need.pipeline === undefined && need.project === undefined) {
      return { job: need.job, artifacts: need.artifacts !== false, optional: need.optional === true };
    }
    if (isMap(need) && (need.pipeline !== undefined || need.project !== undefined)) {
      throw new ConfigError([`${location}:needs:need uses needs:pipeline or needs:project, which this server does not support`]);
    }
    throw new ConfigError([`${location}:needs:need config can only be a string or a hash`]);
  });
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

function includeList(location: string, value: unknown): string[] {
  const entries = Array.isArray(value) ? value : [value];
  return entries.map((entry) => {
    if (typeof entry === 'string') return entry;
    if (isMap(entry) && typeof entry.local === 'string') return entry.local;
    throw new ConfigError([`${location}:trigger:include only local files of this project are supported`]);
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
  const include = value.include === undefined ? [] : includeList(location, value.include);
  if (!project && include.length === 0) throw new ConfigError([`${location}:trigger config is missing project or include`]);
  if (value.strategy !== undefined && value.strategy !== 'depend') {
    throw new ConfigError([`${location}:trigger strategy should be depend`]);
  }
  return {
    project,
    branch: typeof value.branch === 'string' ? value.branch : null,
    include,
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
