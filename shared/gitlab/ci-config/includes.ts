import picomatch from 'picomatch';
import { ConfigError } from './errors';
import { deepMerge } from './extends';
import { expandVariables } from './expand-variables';
import { isMap, loadYaml, type YamlMap } from './load';
import { evaluateRules } from './rules';
import type { PipelineContext } from './types';

/**
 * `include:` (GitLab's `Config::External::Mapper` and `Processor`): local files of the project
 * being built (paths may hold `*` wildcards and `$VARIABLES`), `project:` files of another project
 * at a ref (its own `local:` includes then read from that project), each with optional `inputs`
 * and `rules`. Nested up to GitLab's limit: included files are merged first, in order, and the
 * including file goes on top (hashes deep-merged); a file may be included more than once, and
 * every inclusion counts towards the limit of 150, so a file that includes itself ends there.
 * `remote:`, `template:` and `component:` name files that cannot exist on this server and are
 * refused by name.
 *
 * Reading is split from merging: `collectIncludes` fetches every file a configuration may need
 * (asynchronously), keyed by `includeKey`; `resolveIncludes` merges them (synchronously) with the
 * pipeline's context, so lint and pipeline creation run the same merge.
 */
const MAX_INCLUDES = 150;
const YAML_EXTENSION = /.+\.(yml|yaml)$/i;
const INCLUDE_KEYS = new Set(['local', 'file', 'project', 'ref', 'remote', 'template', 'component', 'inputs', 'rules', 'integrity', 'cache']);
const INCLUDE_RULE_KEYS = new Set(['if', 'exists', 'changes', 'when']);

/** Where a file is read from: this pipeline's commit (`project: null`), or another project at a ref. */
export interface IncludeSource {
  project: string | null;
  ref: string | null;
}

export interface IncludeReader {
  /** A file of the source, or undefined when it has none; another project's missing project or ref throws GitLab's ConfigError. */
  read(source: IncludeSource, path: string): Promise<string | undefined>;
}

interface IncludeEntry {
  source: IncludeSource;
  /** The path as written, `$VARIABLES` expanded. */
  path: string;
  inputs: Record<string, unknown> | undefined;
  rules: unknown;
}

const SELF: IncludeSource = { project: null, ref: null };

export function includeKey(source: IncludeSource, path: string): string {
  return source.project === null ? path : `${source.project}@${source.ref ?? ''}:${path}`;
}

function normalizePath(path: string): string {
  return path.replace(/^\/+/, '');
}

function refused(type: string, location: unknown): ConfigError {
  return new ConfigError([`Included file \`${String(location)}\` uses include:${type}, which this server does not support (only files of this server's projects can be included)`]);
}

/** The include entries of one file, read in `source`. */
function includeEntries(root: YamlMap, source: IncludeSource, variables: Record<string, string>): IncludeEntry[] {
  if (root.include === undefined || root.include === null) return [];
  const list = Array.isArray(root.include) ? root.include : [root.include];
  return list.flatMap((entry): IncludeEntry[] => {
    if (typeof entry === 'string') {
      if (/^https?:\/\//.test(entry)) throw refused('remote', entry);
      return [{ source, path: normalizePath(expandVariables(entry, variables)), inputs: undefined, rules: undefined }];
    }
    if (!isMap(entry)) throw new ConfigError(['include config should be a hash, a string or an array of hashes and strings']);
    const unknown = Object.keys(entry).filter((key) => !INCLUDE_KEYS.has(key));
    if (unknown.length > 0) throw new ConfigError([`include config contains unknown keys: ${unknown.join(', ')}`]);
    for (const type of ['remote', 'template', 'component'] as const) {
      if (entry[type] !== undefined) throw refused(type, entry[type]);
    }
    if (entry.inputs !== undefined && !isMap(entry.inputs)) throw new ConfigError(['include:inputs config must be a hash']);
    const common = { inputs: entry.inputs as Record<string, unknown> | undefined, rules: entry.rules };
    if (typeof entry.local === 'string') return [{ source, path: normalizePath(expandVariables(entry.local, variables)), ...common }];
    if (typeof entry.project === 'string') {
      const files = Array.isArray(entry.file) ? entry.file : [entry.file];
      if (entry.file === undefined || !files.every((file) => typeof file === 'string')) throw new ConfigError(['include config must specify the file where to fetch the config from']);
      const project = expandVariables(entry.project, variables).replace(/^\/+|\/+$/g, '');
      const ref = entry.ref === undefined || entry.ref === null ? null : expandVariables(String(entry.ref), variables);
      return (files as string[]).map((file) => ({ source: { project, ref }, path: normalizePath(expandVariables(file, variables)), ...common }));
    }
    if (entry.file !== undefined) throw new ConfigError(['include config must specify the project where to fetch the config from']);
    throw new ConfigError([`Included file \`${JSON.stringify(entry)}\` does not have a valid location!`]);
  });
}

/** The paths an entry names: a wildcard is matched against the commit's files (this project's only). */
function entryPaths(entry: IncludeEntry, files: readonly string[]): string[] {
  if (!entry.path.includes('*')) return [entry.path];
  if (entry.source.project !== null) return [entry.path];
  const matches = picomatch(entry.path, { dot: true });
  return files.filter((file) => matches(file)).sort();
}

function checkRules(rules: unknown): void {
  if (!Array.isArray(rules)) throw new ConfigError(['include:rules config should be an array of hashes']);
  for (const rule of rules) {
    if (!isMap(rule)) throw new ConfigError(['include:rules:rule config should be a hash']);
    const unknown = Object.keys(rule).filter((key) => !INCLUDE_RULE_KEYS.has(key));
    if (unknown.length > 0) throw new ConfigError([`include:rules:rule config contains unknown keys: ${unknown.join(', ')}`]);
    if (rule.when !== undefined && rule.when !== 'never' && rule.when !== 'always') throw new ConfigError(['include:rules:rule when unknown value: ' + String(rule.when)]);
  }
}

function included(entry: IncludeEntry, variables: Record<string, string>, context: PipelineContext): boolean {
  if (entry.rules === undefined) return true;
  checkRules(entry.rules);
  const outcome = evaluateRules('include', entry.rules, variables, context);
  return outcome !== undefined && outcome.when !== 'never';
}

function missingFile(source: IncludeSource, path: string): ConfigError {
  if (source.project === null) return new ConfigError([`Local file \`${path}\` does not exist!`]);
  return new ConfigError([`Project \`${source.project}\` file \`${path}\` does not exist!`]);
}

/**
 * The configuration with every include merged in. `variables` are those include paths and rules
 * see (predefined and pipeline variables, not the YAML's); the files are in `context.includes`.
 */
export function resolveIncludes(root: YamlMap, context: PipelineContext, variables: Record<string, string>, source: IncludeSource = SELF, count: { value: number } = { value: 0 }): YamlMap {
  const files = context.includes ?? {};
  let merged: YamlMap = {};
  for (const entry of includeEntries(root, source, variables)) {
    if (!included(entry, variables, context)) continue;
    for (const path of entryPaths(entry, context.files)) {
      if (count.value >= MAX_INCLUDES) throw new ConfigError([`Maximum of ${MAX_INCLUDES} nested includes are allowed!`]);
      count.value++;
      if (!YAML_EXTENSION.test(path.split('/').pop()!)) throw new ConfigError([`Included file \`${path}\` does not have YAML extension!`]);
      const failure = context.includeErrors?.[includeKey(entry.source, path)];
      if (failure) throw new ConfigError([failure]);
      const text = files[includeKey(entry.source, path)];
      if (text === undefined) throw missingFile(entry.source, path);
      merged = deepMerge(merged, resolveIncludes(loadYaml(text, entry.inputs), context, variables, entry.source, count));
    }
  }
  const { include: _include, ...own } = root;
  return deepMerge(merged, own);
}

export interface CollectedIncludes {
  includes: Record<string, string>;
  /** GitLab's message for an include that cannot be read (another project missing or out of reach). */
  includeErrors: Record<string, string>;
}

/**
 * Every file a configuration may include, read through `reader` as it goes (rules are not
 * evaluated here, so a file that rules leave out is read all the same).
 */
export async function collectIncludes(
  text: string,
  reader: IncludeReader,
  options: { files: readonly string[]; variables?: Record<string, string>; inputs?: Record<string, unknown> },
): Promise<CollectedIncludes> {
  const variables = options.variables ?? {};
  const includes: Record<string, string> = {};
  const includeErrors: Record<string, string> = {};
  const entriesOf = (content: string, source: IncludeSource, inputs: Record<string, unknown> | undefined): IncludeEntry[] => {
    try {
      return includeEntries(loadYaml(content, inputs), source, variables);
    } catch (error) {
      // An invalid file is reported when the configuration is merged.
      if (error instanceof ConfigError) return [];
      throw error;
    }
  };
  const queue: IncludeEntry[] = entriesOf(text, SELF, options.inputs);
  let reads = 0;
  while (queue.length > 0 && reads <= MAX_INCLUDES) {
    const entry = queue.shift()!;
    for (const path of entryPaths(entry, options.files)) {
      const key = includeKey(entry.source, path);
      if (includes[key] !== undefined || includeErrors[key] !== undefined) continue;
      reads++;
      let content: string | undefined;
      try {
        content = await reader.read(entry.source, path);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        includeErrors[key] = error.errors[0];
        continue;
      }
      if (content === undefined) continue;
      includes[key] = content;
      queue.push(...entriesOf(content, entry.source, entry.inputs));
    }
  }
  return { includes, includeErrors };
}
