import { ConfigError } from './errors';
import { isMap, type YamlMap } from './load';
import type { ParallelDefinition } from './types';

/**
 * `parallel:` (GitLab's `Config::Normalizer`): `parallel: N` makes the jobs `name 1/N` … `name N/N`;
 * `parallel: matrix:` makes one job per combination of each entry's values, `name: [v1, v2]`, with
 * the values as job variables. `needs` and `dependencies` that name a parallel job name all of its
 * jobs, or (`needs: [{job, parallel: {matrix}}]`) the ones of the given combinations; in a matrix
 * job, `$[[ matrix.NAME ]]` in its needs is that job's value.
 */
const PARALLEL_LIMIT = 200;

interface Instance {
  name: string;
  parallel: ParallelDefinition;
  variables: Record<string, string>;
}

export interface ExpandedJob {
  name: string;
  job: YamlMap;
  parallel: ParallelDefinition | null;
  /** Matrix values, which win over the job's own variables. */
  matrixVariables: Record<string, string>;
}

function matrixCombinations(location: string, matrix: unknown): Record<string, string>[] {
  if (!Array.isArray(matrix) || !matrix.every(isMap)) throw new ConfigError([`${location}:matrix config should be an array of hashes`]);
  return matrix.flatMap((entry, i) => {
    const keys = Object.keys(entry);
    const values = keys.map((key) => {
      const value = entry[key];
      const list = Array.isArray(value) ? value : [value];
      if (!list.every((item) => ['string', 'number', 'boolean'].includes(typeof item))) {
        throw new ConfigError([`${location}:matrix:${i} variables config should be a hash of key value pairs, value can be an array`]);
      }
      return list.map(String);
    });
    let combinations: Record<string, string>[] = [{}];
    keys.forEach((key, k) => {
      combinations = combinations.flatMap((combination) => values[k].map((value) => ({ ...combination, [key]: value })));
    });
    return keys.length === 0 ? [] : combinations;
  });
}

function instances(location: string, name: string, value: unknown): Instance[] {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new ConfigError([`${location} config must be an integer`]);
    if (value < 1) throw new ConfigError([`${location} config must be greater than or equal to 1`]);
    if (value > PARALLEL_LIMIT) throw new ConfigError([`${location} config must be less than or equal to ${PARALLEL_LIMIT}`]);
    return Array.from({ length: value }, (_, i) => ({ name: `${name} ${i + 1}/${value}`, parallel: { index: i + 1, total: value }, variables: {} }));
  }
  if (!isMap(value)) throw new ConfigError([`${location} should be an integer or a hash`]);
  const unknown = Object.keys(value).filter((key) => key !== 'matrix');
  if (unknown.length > 0) throw new ConfigError([`${location} config contains unknown keys: ${unknown.join(', ')}`]);
  if (value.matrix === undefined) throw new ConfigError([`${location} config missing required keys: matrix`]);
  const combinations = matrixCombinations(location, value.matrix);
  if (combinations.length > PARALLEL_LIMIT) throw new ConfigError([`${location}:matrix config generates too many jobs (maximum is ${PARALLEL_LIMIT})`]);
  return combinations.map((variables, i) => ({
    name: `${name}: [${Object.values(variables).join(', ')}]`,
    parallel: { index: i + 1, total: combinations.length },
    variables,
  }));
}

function interpolateMatrix(value: unknown, variables: Record<string, string>, jobName: string): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\[\[\s*matrix\.([^\s\]|]+)\s*\]\]/g, (_block, key: string) => {
      if (!Object.hasOwn(variables, key)) throw new ConfigError([`${jobName} job: unknown interpolation key: \`${key}\``]);
      return variables[key];
    });
  }
  if (Array.isArray(value)) return value.map((item) => interpolateMatrix(item, variables, jobName));
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateMatrix(item, variables, jobName)]));
  return value;
}

export function expandParallel(jobs: [string, YamlMap][]): ExpandedJob[] {
  const parallelized = new Map<string, Instance[]>();
  for (const [name, job] of jobs) {
    if (job.parallel !== undefined && job.parallel !== null) parallelized.set(name, instances(`jobs:${name}:parallel`, name, job.parallel));
  }
  if (parallelized.size === 0) return jobs.map(([name, job]) => ({ name, job, parallel: null, matrixVariables: {} }));

  const expandNeeds = (location: string, needs: unknown): unknown => {
    if (!Array.isArray(needs)) return needs;
    return needs.flatMap((need) => {
      const target = typeof need === 'string' ? need : isMap(need) && typeof need.job === 'string' && need.project === undefined && need.pipeline === undefined ? need.job : undefined;
      const all = target === undefined ? undefined : parallelized.get(target);
      if (!all || target === undefined) return [need];
      const chosen = isMap(need) && need.parallel !== undefined ? instances(`${location}:needs:need:parallel`, target, need.parallel) : all;
      if (typeof need === 'string') return chosen.map((instance) => instance.name);
      const { parallel: _parallel, ...rest } = need as YamlMap;
      return chosen.map((instance) => ({ ...rest, job: instance.name }));
    });
  };
  const rewrite = (name: string, job: YamlMap): YamlMap => {
    const result: YamlMap = { ...job };
    if (job.needs !== undefined) result.needs = expandNeeds(`jobs:${name}`, job.needs);
    if (Array.isArray(job.dependencies)) result.dependencies = job.dependencies.flatMap((dependency) => parallelized.get(String(dependency))?.map((instance) => instance.name) ?? [dependency]);
    return result;
  };

  return jobs.flatMap(([name, job]): ExpandedJob[] => {
    const set = parallelized.get(name);
    if (!set) return [{ name, job: rewrite(name, job), parallel: null, matrixVariables: {} }];
    return set.map((instance) => {
      const own = Object.keys(instance.variables).length > 0 && job.needs !== undefined ? { ...job, needs: interpolateMatrix(job.needs, instance.variables, name) } : job;
      return { name: instance.name, job: rewrite(name, own), parallel: instance.parallel, matrixVariables: instance.variables };
    });
  });
}
