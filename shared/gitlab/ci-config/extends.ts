import { ConfigError } from './errors';
import { isMap, type YamlMap } from './load';

/**
 * `extends`: a job inherits the keys of the named jobs or hidden templates, in order, deep-merging
 * hashes and replacing everything else, then its own keys on top (GitLab's rules, up to 11 levels).
 */
const MAX_NESTING = 11;

export function deepMerge(base: YamlMap, override: YamlMap): YamlMap {
  const merged: YamlMap = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (key === '__proto__') continue;
    const current = merged[key];
    merged[key] = isMap(current) && isMap(value) ? deepMerge(current, value) : value;
  }
  return merged;
}

export function resolveExtends(entries: Record<string, YamlMap>): Record<string, YamlMap> {
  const resolved = new Map<string, YamlMap>();

  function resolve(name: string, chain: string[]): YamlMap {
    const done = resolved.get(name);
    if (done) return done;
    const entry = entries[name];
    if (chain.includes(name)) throw new ConfigError([`${chain[0]}: circular dependency detected in \`extends\``]);
    if (chain.length >= MAX_NESTING) throw new ConfigError([`${chain[0]}: nesting too deep in \`extends\``]);
    const parents = entry.extends === undefined ? [] : Array.isArray(entry.extends) ? entry.extends : [entry.extends];
    let merged: YamlMap = {};
    for (const parent of parents) {
      if (typeof parent !== 'string') throw new ConfigError([`${name}: invalid base hash in \`extends\``]);
      if (!isMap(entries[parent])) throw new ConfigError([`${name}: unknown keys in \`extends\` (${parent})`]);
      merged = deepMerge(merged, resolve(parent, [...chain, name]));
    }
    const { extends: _extends, ...own } = entry;
    const result = deepMerge(merged, own);
    resolved.set(name, result);
    return result;
  }

  return Object.fromEntries(Object.keys(entries).map((name) => [name, resolve(name, [])]));
}
