import { defineSequenceTag, loadAll, mergeTag, YAML11_SCHEMA, YAMLException } from 'js-yaml';
import { ConfigError } from './errors';
import { applyInputs } from './inputs';

/**
 * Reads `.gitlab-ci.yml` text into a plain object as GitLab's YAML 1.1 reader does: anchors,
 * aliases and `<<` merge keys, duplicate keys (the last wins), and GitLab's
 * `!reference [.job, key, ...]` tag resolved against the same file. Like GitLab, it refuses
 * configurations that expand into too much data.
 */
export type YamlMap = Record<string, unknown>;

const REFERENCE = Symbol('reference');
interface Reference {
  [REFERENCE]: unknown[];
}

const referenceTag = defineSequenceTag<unknown[], Reference>('!reference', {
  create: () => [],
  addItem: (carrier, item) => {
    carrier.push(item);
  },
  finalize: (carrier) => ({ [REFERENCE]: carrier }),
  identify: () => false,
});

const SCHEMA = YAML11_SCHEMA.withTags(mergeTag, referenceTag);
/** GitLab's limits on a parsed configuration (its `deep_size` check): size, in nodes, and nesting depth. */
const MAX_NODES = 250_000;
const MAX_DEPTH = 100;
const TOO_BIG = 'The parsed YAML is too big';

function isReference(value: unknown): value is Reference {
  return typeof value === 'object' && value !== null && REFERENCE in value;
}

export function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isReference(value);
}

/** The tag as GitLab's messages show it (Ruby's `inspect` of its sequence). */
function describe(path: unknown[]): string {
  return `!reference [${path.map((item) => (typeof item === 'string' ? JSON.stringify(item) : String(item))).join(', ')}]`;
}

function resolveReference(value: unknown, root: YamlMap, budget: { nodes: number }, depth = 0, resolving: Set<string> = new Set()): unknown {
  if (--budget.nodes < 0) throw new ConfigError([TOO_BIG]);
  if (depth > MAX_DEPTH) throw new ConfigError([TOO_BIG]);
  if (isReference(value)) {
    const path = value[REFERENCE];
    if (path.length === 0 || !path.every((item) => typeof item === 'string')) throw new ConfigError([`${describe(path)} is not valid`]);
    const key = JSON.stringify(path);
    if (resolving.has(key)) throw new ConfigError([`${describe(path)} is part of a circular chain`]);
    let target: unknown = root;
    for (const name of path as string[]) {
      target = isMap(target) ? target[name] : undefined;
      if (target === undefined || target === null || target === false) throw new ConfigError([`${describe(path)} could not be found`]);
    }
    resolving.add(key);
    const resolved = resolveReference(target, root, budget, depth + 1, resolving);
    resolving.delete(key);
    return resolved;
  }
  if (Array.isArray(value)) return value.map((item) => resolveReference(item, root, budget, depth + 1, resolving));
  if (isMap(value)) {
    const result: YamlMap = {};
    for (const [key, item] of Object.entries(value)) {
      if (key !== '__proto__') result[key] = resolveReference(item, root, budget, depth + 1, resolving);
    }
    return result;
  }
  return value;
}

/**
 * GitLab's `Yaml::Documents`: with more than one document and a `spec` key in the first, the first
 * is the header and the last is the configuration; otherwise the first document is, whatever its keys.
 */
function splitDocuments(documents: unknown[]): { header: YamlMap | null; content: unknown } {
  const first = documents[0];
  const hasHeader = documents.length > 1 && isMap(first) && 'spec' in first;
  if (!hasHeader) return { header: null, content: first };
  return { header: first as YamlMap, content: documents[documents.length - 1] };
}

/**
 * One file's configuration, with its `spec:inputs` header applied (`inputs`: the values its
 * includer gave). `!reference` tags stay unresolved: they are resolved once every include is merged
 * (`resolveReferences`), so they can name keys of other files.
 */
export function loadYaml(text: string, inputs?: Record<string, unknown>): YamlMap {
  if (text.trim() === '') throw new ConfigError(['Please provide content of .gitlab-ci.yml']);
  let documents: unknown[];
  try {
    documents = loadAll(text, null, { schema: SCHEMA, json: true, maxAliases: 10_000, maxDepth: MAX_DEPTH });
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    // The reader stops at the depth limit instead of recursing on; GitLab says it of the parsed data.
    if (error.reason?.startsWith('nesting exceeded maxDepth')) throw new ConfigError([TOO_BIG]);
    const where = error.mark ? ` at line ${error.mark.line + 1} column ${error.mark.column + 1}` : '';
    throw new ConfigError([`(<unknown>): ${error.reason}${where}`]);
  }
  const { header, content } = splitDocuments(documents);
  const root = applyInputs(header, content, inputs);
  if (!isMap(root)) throw new ConfigError(['Invalid configuration format']);
  return root;
}

/** The merged configuration with every `!reference` replaced by what it names. */
export function resolveReferences(root: YamlMap): YamlMap {
  return resolveReference(root, root, { nodes: MAX_NODES }) as YamlMap;
}
