import { dump, YAML11_SCHEMA } from 'js-yaml';
import { resolveExtends } from '../ci-config/extends';
import { isMap, type YamlMap } from '../ci-config/load';
import { loadConfig } from '../ci-config/pipeline';
import type { PipelineContext } from '../ci-config/types';

/**
 * The configuration as CI Lint shows it (`merged_yaml`): GitLab's `Ci::Config#build_config`
 * steps, done by the same parser modules pipeline creation uses: the YAML read (with
 * `!reference`), includes merged, `extends` applied (GitLab keeps each job's `extends` key),
 * and `.pre`/`.post` added to a declared `stages` list. Throws the parser's ConfigError, for
 * which GitLab has no merged YAML.
 */
const GLOBAL_KEYS = new Set(['stages', 'types', 'variables', 'default', 'workflow', 'image', 'services', 'cache', 'before_script', 'after_script', 'include']);

export function isJobEntry(key: string, value: unknown): value is YamlMap {
  return !GLOBAL_KEYS.has(key) && isMap(value);
}

function withEdgeStages(root: YamlMap): YamlMap {
  const key = root.stages !== undefined ? 'stages' : root.types !== undefined ? 'types' : undefined;
  if (!key || !Array.isArray(root[key])) return root;
  const stages = [...(root[key] as unknown[])];
  if (stages[0] !== '.pre') stages.unshift('.pre');
  if (stages.at(-1) !== '.post') stages.push('.post');
  return { ...root, [key]: stages };
}

export function expandConfig(text: string, context: PipelineContext): YamlMap {
  const root = loadConfig(text, context);
  const entries = Object.fromEntries(Object.entries(root).filter(([key, value]) => isJobEntry(key, value))) as Record<string, YamlMap>;
  const extended = resolveExtends(entries);
  const expanded: YamlMap = {};
  for (const [key, value] of Object.entries(root)) {
    if (!isJobEntry(key, value)) expanded[key] = value;
    else expanded[key] = value.extends === undefined ? extended[key] : { ...extended[key], extends: value.extends };
  }
  return withEdgeStages(expanded);
}

/** Ruby's `to_yaml` of the expanded hash: a `---` document, block sequences level with their key, YAML 1.1 quoting. */
export function mergedYaml(expanded: YamlMap): string {
  return `---\n${dump(expanded, { schema: YAML11_SCHEMA, seqNoIndent: true, lineWidth: -1, noRefs: true })}`;
}

/**
 * The expanded configuration with every `rules`, `only`, `except` and `workflow:rules` taken
 * out: what a static check lists (all jobs, with their own `when`), built by the same parser.
 */
export function withoutConditions(expanded: YamlMap): YamlMap {
  const result: YamlMap = {};
  for (const [key, value] of Object.entries(expanded)) {
    if (key === 'workflow' && isMap(value)) {
      const { rules: _rules, ...workflow } = value;
      result[key] = workflow;
    } else if (isJobEntry(key, value)) {
      const { rules: _rules, only: _only, except: _except, extends: _extends, ...job } = value;
      result[key] = job;
    } else result[key] = value;
  }
  return result;
}
