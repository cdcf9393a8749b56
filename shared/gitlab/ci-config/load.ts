import { parseDocument, type Tags } from 'yaml';
import { ConfigError } from './errors';

/**
 * Reads `.gitlab-ci.yml` text into a plain object: anchors, aliases and merge keys as YAML has
 * them, and GitLab's `!reference [.job, key, ...]` tag resolved against the same file.
 */
export type YamlMap = Record<string, unknown>;

const REFERENCE = Symbol('reference');
interface Reference {
  [REFERENCE]: string[];
}

const referenceTag: Tags[number] = {
  tag: '!reference',
  collection: 'seq',
  resolve(seq) {
    const path = (seq as { toJSON(): unknown }).toJSON();
    return { [REFERENCE]: Array.isArray(path) ? path.map(String) : [] } as unknown as never;
  },
};

function isReference(value: unknown): value is Reference {
  return typeof value === 'object' && value !== null && REFERENCE in value;
}

export function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveReferences(value: unknown, root: YamlMap, depth = 0): unknown {
  if (depth > 10) throw new ConfigError(['!reference nested too deeply']);
  if (isReference(value)) {
    const path = value[REFERENCE];
    let target: unknown = root;
    for (const key of path) {
      target = isMap(target) ? target[key] : undefined;
      if (target === undefined) throw new ConfigError([`!reference [${path.join(', ')}] could not be found`]);
    }
    return resolveReferences(target, root, depth + 1);
  }
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, root, depth));
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveReferences(item, root, depth)]));
  return value;
}

export function loadYaml(text: string): YamlMap {
  if (text.trim() === '') throw new ConfigError(['Please provide content of .gitlab-ci.yml']);
  const document = parseDocument(text, { customTags: [referenceTag], merge: true, uniqueKeys: false });
  if (document.errors.length > 0) {
    const error = document.errors[0];
    const position = error.linePos?.[0];
    const where = position ? ` at line ${position.line} column ${position.col}` : '';
    throw new ConfigError([`(<unknown>): ${error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}${where}`]);
  }
  const root = document.toJS({ maxAliasCount: 1000 }) as unknown;
  if (!isMap(root)) throw new ConfigError(['Invalid configuration format']);
  return resolveReferences(root, root) as YamlMap;
}
