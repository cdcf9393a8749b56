import { ConfigError } from './errors';
import { deepMerge } from './extends';
import { isMap, loadYaml, type YamlMap } from './load';

/**
 * `include:` of local files (this project's files at the pipeline's commit), nested up to GitLab's
 * limit. Included files are merged first, in order, and the including file goes on top (hashes
 * deep-merged). As in GitLab, a file may be included more than once; every inclusion counts
 * towards the limit of 150, so a file that includes itself ends there. Remote, template, project
 * and component includes are refused.
 */
const MAX_INCLUDES = 150;
const YAML_EXTENSION = /.+\.(yml|yaml)$/i;

function normalizePath(path: string): string {
  return path.replace(/^\/+/, '');
}

/** The local paths a file includes. */
function includedPaths(root: YamlMap): string[] {
  if (root.include === undefined) return [];
  const entries = Array.isArray(root.include) ? root.include : [root.include];
  return entries.map((entry) => {
    if (typeof entry === 'string' && !/^https?:\/\//.test(entry)) return normalizePath(entry);
    if (isMap(entry) && typeof entry.local === 'string' && Object.keys(entry).every((key) => key === 'local')) return normalizePath(entry.local);
    throw new ConfigError(['Included file: only local files of this project can be included on this server (remote, template, project and component includes are not supported)']);
  });
}

/** The configuration with every include merged in; `files` holds the texts of included paths. */
export function resolveIncludes(root: YamlMap, files: Record<string, string>, included: { count: number } = { count: 0 }): YamlMap {
  let merged: YamlMap = {};
  for (const path of includedPaths(root)) {
    if (included.count >= MAX_INCLUDES) throw new ConfigError([`Maximum of ${MAX_INCLUDES} nested includes are allowed!`]);
    included.count++;
    if (!YAML_EXTENSION.test(path.split('/').pop()!)) throw new ConfigError([`Included file \`${path}\` does not have YAML extension!`]);
    const text = files[path];
    if (text === undefined) throw new ConfigError([`Local file \`${path}\` does not exist!`]);
    merged = deepMerge(merged, resolveIncludes(loadYaml(text), files, included));
  }
  const { include: _include, ...own } = root;
  return deepMerge(merged, own);
}

/** Every local path a configuration needs, found by reading files through `read` as it goes. */
export async function collectIncludes(text: string, read: (path: string) => Promise<string | undefined>): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const queue = includedPaths(loadYaml(text));
  while (queue.length > 0 && Object.keys(files).length <= MAX_INCLUDES) {
    const path = queue.shift()!;
    if (files[path] !== undefined) continue;
    const content = await read(path);
    if (content === undefined) continue;
    files[path] = content;
    queue.push(...includedPaths(loadYaml(content)));
  }
  return files;
}
