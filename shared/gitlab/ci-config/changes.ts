import picomatch from 'picomatch';
import { ConfigError } from './errors';
import { isMap } from './load';

/**
 * `rules:changes` (GitLab's `Rules::Rule::Clause::Changes`). A list of globs, or `paths` with
 * `compare_to`. Without `compare_to` the clause holds when a path the push changed matches, and
 * always when there is no push range to compare (a new branch, a tag, a pipeline made by the API,
 * a schedule or a trigger), as GitLab's `modified_paths` is then unknown. With `compare_to` the
 * paths are those changed since the merge base of that ref and the pipeline's commit, whatever
 * started the pipeline. Globs are matched as Ruby's `File.fnmatch?` with `FNM_PATHNAME |
 * FNM_DOTMATCH | FNM_EXTGLOB`, after the variables they name are expanded.
 */
export interface ChangesContext {
  /** What the push changed; null when the pipeline has no push range. */
  paths: string[] | null;
  /** Paths changed since each `compare_to` ref already looked up; null for a ref that names no commit. */
  since: Map<string, string[] | null>;
}

/** Evaluation needs the paths since `ref`, not yet looked up: the caller looks them up and evaluates again. */
export class CompareToNeeded extends Error {
  constructor(readonly ref: string) {
    super(`compare_to ${ref} needs a lookup`);
  }
}

/** Every `$NAME` / `${NAME}` that names a variable is replaced; the others stay (`expand_existing`). */
function expandExisting(text: string, variables: Record<string, string>): string {
  return text.replace(/\$(?:\{(\w+)\}|(\w+))/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    return Object.hasOwn(variables, name) ? variables[name] : whole;
  });
}

function specOf(ruleLocation: string, value: unknown): { paths: string[]; compareTo: string | undefined } {
  const strings = (list: unknown) => Array.isArray(list) && list.every((item) => typeof item === 'string');
  if (strings(value)) return { paths: value as string[], compareTo: undefined };
  if (isMap(value)) {
    const unknown = Object.keys(value).filter((key) => key !== 'paths' && key !== 'compare_to');
    if (unknown.length > 0) throw new ConfigError([`${ruleLocation}:changes config contains unknown keys: ${unknown.join(', ')}`]);
    if (!strings(value.paths)) throw new ConfigError([`${ruleLocation}:changes paths should be an array of strings`]);
    if (value.compare_to !== undefined && typeof value.compare_to !== 'string') throw new ConfigError([`${ruleLocation}:changes compare to should be a string`]);
    return { paths: value.paths as string[], compareTo: value.compare_to as string | undefined };
  }
  throw new ConfigError([`${ruleLocation}:changes config should be an array of strings`]);
}

export function changesMatch(jobName: string, ruleLocation: string, value: unknown, variables: Record<string, string>, context: ChangesContext | undefined): boolean {
  const spec = specOf(ruleLocation, value);
  if (!context) return true;
  let paths = context.paths;
  if (spec.compareTo !== undefined) {
    if (!context.since.has(spec.compareTo)) throw new CompareToNeeded(spec.compareTo);
    paths = context.since.get(spec.compareTo)!;
    if (paths === null) throw new ConfigError([`Failed to parse rule for ${jobName}: rules:changes:compare_to is not a valid ref`]);
  }
  if (paths === null) return true;
  const globs = spec.paths.map((glob) => expandExisting(glob, variables)).filter((glob) => glob !== '');
  if (globs.length === 0) return false;
  const matcher = picomatch(globs, { dot: true, noglobstar: false });
  return paths.some((path) => matcher(path));
}
