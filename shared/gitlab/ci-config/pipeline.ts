import { ConfigError, PipelineFilteredError } from './errors';
import { resolveExtends } from './extends';
import { expandVariables } from './expand-variables';
import { resolveIncludes } from './includes';
import * as keyword from './job';
import { isMap, loadYaml, resolveReferences, type YamlMap } from './load';
import { expandParallel, type ExpandedJob } from './parallel';
import { evaluateRules, onlyExceptAllow, stringVariables } from './rules';
import type { AutoCancelDefinition, EnvironmentDefinition, JobDefinition, PipelineContext, PipelineDefinition, When } from './types';

/**
 * `.gitlab-ci.yml` text → the pipeline it creates for one ref: stages, the jobs that `rules`,
 * `only`/`except` and `workflow` keep, with `extends` and `default` applied and `needs` checked.
 * Throws ConfigError (the configuration is invalid: GitLab's messages) or PipelineFilteredError.
 */
const GLOBAL_KEYS = new Set(['stages', 'types', 'variables', 'default', 'workflow', 'image', 'services', 'cache', 'before_script', 'after_script', 'include']);
/** GitLab's `Entry::Default::ALLOWED_KEYS` (`hooks`, `id_tokens` and `identity` are inherited, then refused by the job). */
const DEFAULT_KEYS = ['image', 'services', 'before_script', 'after_script', 'tags', 'timeout', 'retry', 'artifacts', 'cache', 'interruptible', 'hooks', 'id_tokens', 'identity'] as const;
const DEFAULT_STAGES = ['build', 'test', 'deploy'];

export const NO_JOBS_MESSAGE = 'Pipeline will not run for the selected trigger. The rules configuration prevented any jobs from being added to the pipeline.';
export const WORKFLOW_FILTERED_MESSAGE = 'Pipeline filtered out by workflow rules.';

function stagesOf(root: YamlMap): string[] {
  const raw = root.stages ?? root.types;
  if (raw === undefined) return ['.pre', ...DEFAULT_STAGES, '.post'];
  if (!Array.isArray(raw) || !raw.every((stage) => typeof stage === 'string')) {
    throw new ConfigError(['stages config should be an array of strings']);
  }
  const stages = (raw as string[]).filter((stage) => stage !== '.pre' && stage !== '.post');
  return ['.pre', ...new Set(stages), '.post'];
}

/** Variables every rule can see: GitLab's predefined ones for this ref. */
export function predefinedRuleVariables(context: PipelineContext): Record<string, string> {
  const variables: Record<string, string> = {
    CI: 'true',
    GITLAB_CI: 'true',
    CI_COMMIT_REF_NAME: context.ref,
    CI_COMMIT_REF_SLUG: refSlug(context.ref),
    CI_COMMIT_SHA: context.sha,
    CI_PIPELINE_SOURCE: context.source,
    CI_PROJECT_PATH: context.projectPath,
  };
  if (context.defaultBranch) variables.CI_DEFAULT_BRANCH = context.defaultBranch;
  if (context.tag) variables.CI_COMMIT_TAG = context.ref;
  else variables.CI_COMMIT_BRANCH = context.ref;
  return variables;
}

export function refSlug(ref: string): string {
  return ref
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
}

function inheritedDefaults(root: YamlMap, job: YamlMap): YamlMap {
  const defaults: YamlMap = isMap(root.default) ? { ...root.default } : {};
  // The deprecated global keywords act as defaults too.
  for (const key of ['image', 'services', 'cache', 'before_script', 'after_script'] as const) {
    if (root[key] !== undefined && defaults[key] === undefined) defaults[key] = root[key];
  }
  const inherit = isMap(job.inherit) ? job.inherit.default : undefined;
  if (inherit === false) return {};
  const allowed = Array.isArray(inherit) ? new Set(inherit.map(String)) : undefined;
  const result: YamlMap = {};
  for (const key of DEFAULT_KEYS) {
    if (defaults[key] !== undefined && job[key] === undefined && (!allowed || allowed.has(key))) result[key] = defaults[key];
  }
  return result;
}

function inheritedVariables(globals: Record<string, string>, job: YamlMap): Record<string, string> {
  const inherit = isMap(job.inherit) ? job.inherit.variables : undefined;
  if (inherit === false) return {};
  if (Array.isArray(inherit)) return Object.fromEntries(Object.entries(globals).filter(([key]) => inherit.includes(key)));
  return globals;
}

function checkDefault(root: YamlMap): void {
  if (root.default === undefined) return;
  if (!isMap(root.default)) throw new ConfigError(['default config should be a hash']);
  const unknown = Object.keys(root.default).filter((key) => !(DEFAULT_KEYS as readonly string[]).includes(key));
  if (unknown.length > 0) throw new ConfigError([`default config contains unknown keys: ${unknown.join(', ')}`]);
}

interface Candidate {
  definition: JobDefinition;
  included: boolean;
}

function buildJob(expanded: ExpandedJob, root: YamlMap, stages: string[], globals: Record<string, string>, context: PipelineContext): Candidate {
  const { name, job } = expanded;
  const location = `jobs:${name}`;
  const merged = { ...inheritedDefaults(root, job), ...job };
  keyword.checkKeys(location, merged);
  const isBridge = merged.trigger !== undefined;
  if (isBridge && merged.script !== undefined) throw new ConfigError([`${location} config contains unknown keys: trigger`]);
  if (!isBridge && merged.script === undefined) {
    throw new ConfigError([`${location} config should implement the script:, run:, or trigger: keyword`]);
  }
  const stage = merged.stage === undefined ? 'test' : String(merged.stage);
  if (!stages.includes(stage)) {
    throw new ConfigError([`${name} job: chosen stage ${stage} does not exist; available stages are ${stages.join(', ')}`]);
  }
  const variables = { ...inheritedVariables(globals, job), ...stringVariables(merged.variables, location), ...expanded.matrixVariables };
  const ruleVariables = { ...predefinedRuleVariables(context), ...variables, ...context.variables };

  let included = true;
  let jobWhen: When = keyword.when(location, merged.when);
  let allow = keyword.allowFailure(location, merged.allow_failure);
  let startInValue = merged.start_in;
  let needsValue = merged.needs;
  if (merged.rules !== undefined) {
    if (merged.only !== undefined || merged.except !== undefined) {
      throw new ConfigError([`${location} config key may not be used with \`rules\`: only, except`]);
    }
    const outcome = evaluateRules(location, merged.rules, ruleVariables, context);
    if (!outcome || outcome.when === 'never') included = false;
    else {
      if (outcome.when !== undefined) jobWhen = keyword.when(`${location}:rules:rule`, outcome.when);
      if (outcome.allowFailure !== undefined) allow = { allowFailure: outcome.allowFailure, exitCodes: [] };
      if (outcome.startIn !== undefined) startInValue = outcome.startIn;
      if (outcome.needs !== undefined) needsValue = outcome.needs;
      Object.assign(variables, outcome.variables);
    }
  } else {
    included = onlyExceptAllow(location, merged.only, merged.except, ruleVariables, context);
  }
  // A bridge cannot be delayed.
  if (isBridge && jobWhen === 'delayed') throw new ConfigError([`${location} when should be one of: on_success, on_failure, always, manual`]);

  const { needs, crossNeeds } = keyword.needs(location, needsValue);
  const jobVariables = { ...ruleVariables, ...variables, ...context.variables, CI_JOB_NAME: name, CI_JOB_STAGE: stage };
  const definition: JobDefinition = {
    name,
    stage,
    script: keyword.commands(location, 'script', merged.script),
    beforeScript: keyword.commands(location, 'before_script', merged.before_script),
    afterScript: keyword.commands(location, 'after_script', merged.after_script),
    image: keyword.image(location, merged.image),
    services: keyword.services(location, merged.services),
    variables,
    when: jobWhen,
    startIn: keyword.startIn(location, jobWhen, startInValue),
    allowFailure: allow.allowFailure,
    allowFailureExitCodes: allow.exitCodes,
    needs,
    dependencies: merged.dependencies === undefined ? null : keyword.stringList(location, 'dependencies', merged.dependencies),
    tags: keyword.tags(location, merged.tags),
    artifacts: keyword.artifacts(location, merged.artifacts),
    cache: keyword.cache(location, merged.cache),
    retry: keyword.retry(location, merged.retry),
    timeout: keyword.timeout(location, merged.timeout),
    coverage: typeof merged.coverage === 'string' ? merged.coverage : null,
    trigger: keyword.trigger(location, merged.trigger),
    interruptible: merged.interruptible === true,
    parallel: expanded.parallel,
    crossNeeds,
    environment: expandEnvironment(keyword.environment(location, merged.environment), jobVariables),
    resourceGroup: expandResourceGroup(keyword.resourceGroup(location, merged.resource_group), jobVariables),
    hooks: keyword.hooks(location, merged.hooks),
    idTokens: keyword.idTokens(location, merged.id_tokens),
  };
  return { definition, included };
}

/** GitLab expands the environment's name and url with the job's variables when it creates the job (unknown ones become empty). */
function expandEnvironment(environment: EnvironmentDefinition | null, variables: Record<string, string>): EnvironmentDefinition | null {
  if (!environment) return null;
  const expand = (text: string) => expandVariables(text, variables, { dropUnknown: true });
  return { ...environment, name: expand(environment.name), url: environment.url === null ? null : expand(environment.url) };
}

function expandResourceGroup(group: string | null, variables: Record<string, string>): string | null {
  return group === null ? null : expandVariables(group, variables, { dropUnknown: true });
}

/** `environment:on_stop` names a job that stops the same environment (GitLab's `YamlProcessor#validate_job_environment!`). */
function checkEnvironments(candidates: Map<string, Candidate>): void {
  for (const { definition } of candidates.values()) {
    const onStop = definition.environment?.onStop;
    if (!onStop) continue;
    const stopJob = candidates.get(onStop)?.definition;
    if (!stopJob) throw new ConfigError([`${definition.name} job: on_stop job ${onStop} is not defined`]);
    if (!stopJob.environment) throw new ConfigError([`${definition.name} job: on_stop job ${onStop} does not have environment defined`]);
    if (stopJob.environment.name !== definition.environment!.name) throw new ConfigError([`${definition.name} job: on_stop job ${onStop} have different environment name`]);
    if (stopJob.environment.action !== 'stop') throw new ConfigError([`${definition.name} job: on_stop job ${onStop} needs to have action stop defined`]);
  }
}

const AUTO_CANCEL_ON_NEW_COMMIT = ['conservative', 'interruptible', 'none'];
const AUTO_CANCEL_ON_JOB_FAILURE = ['none', 'all'];

/** `workflow:auto_cancel` (GitLab's `Entry::AutoCancel`). */
function autoCancel(value: unknown): AutoCancelDefinition {
  const result: AutoCancelDefinition = { onNewCommit: 'conservative', onJobFailure: 'none' };
  if (value === undefined || value === null) return result;
  if (!isMap(value)) throw new ConfigError(['workflow:auto_cancel config should be a hash']);
  const unknown = Object.keys(value).filter((key) => key !== 'on_new_commit' && key !== 'on_job_failure');
  if (unknown.length > 0) throw new ConfigError([`workflow:auto_cancel config contains unknown keys: ${unknown.join(', ')}`]);
  if (value.on_new_commit !== undefined) {
    if (!AUTO_CANCEL_ON_NEW_COMMIT.includes(value.on_new_commit as string)) throw new ConfigError([`workflow:auto_cancel on new commit must be one of: ${AUTO_CANCEL_ON_NEW_COMMIT.join(', ')}`]);
    result.onNewCommit = value.on_new_commit as AutoCancelDefinition['onNewCommit'];
  }
  if (value.on_job_failure !== undefined) {
    if (!AUTO_CANCEL_ON_JOB_FAILURE.includes(value.on_job_failure as string)) throw new ConfigError([`workflow:auto_cancel on job failure must be one of: ${AUTO_CANCEL_ON_JOB_FAILURE.join(', ')}`]);
    result.onJobFailure = value.on_job_failure as AutoCancelDefinition['onJobFailure'];
  }
  return result;
}

function checkNeeds(candidates: Map<string, Candidate>, stages: string[]): void {
  for (const { definition } of candidates.values()) {
    const stageIdx = stages.indexOf(definition.stage);
    const references = [...(definition.needs ?? []).map((need) => ['need', need.job, need.optional] as const), ...(definition.dependencies ?? []).map((dependency) => ['dependency', dependency, false] as const)];
    for (const [kind, job, optional] of references) {
      const target = candidates.get(job);
      // An optional need may name a job the configuration does not define (GitLab's `validate_job_dependency!`).
      if (!target && optional) continue;
      if (!target) throw new ConfigError([`${definition.name} job: undefined ${kind}: ${job}`]);
      if (stages.indexOf(target.definition.stage) > stageIdx) {
        throw new ConfigError([`${definition.name} job: ${kind} ${job} is not defined in current or prior stages`]);
      }
    }
    const needed = (definition.needs ?? []).map((need) => need.job);
    const duplicated = [...new Set(needed.filter((job, i) => needed.indexOf(job) !== i))];
    if (duplicated.length > 0) throw new ConfigError([`${definition.name} has the following needs duplicated: ${duplicated.join(', ')}.`]);
  }
  checkNeedsAcyclic(candidates);
}

/** Jobs of one stage may need each other, so `needs` can form a cycle; GitLab refuses it (its `Dag` tsort). */
function checkNeedsAcyclic(candidates: Map<string, Candidate>): void {
  const done = new Set<string>();
  const onPath = new Set<string>();
  // Iterative depth-first search: a chain of needs may be as long as the pipeline has jobs.
  for (const start of candidates.keys()) {
    if (done.has(start)) continue;
    const stack: { job: string; next: number }[] = [{ job: start, next: 0 }];
    onPath.add(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const needs = candidates.get(top.job)?.definition.needs ?? [];
      if (top.next < needs.length) {
        const child = needs[top.next++].job;
        if (onPath.has(child)) throw new ConfigError(['The pipeline has circular dependencies']);
        if (!done.has(child) && candidates.has(child)) {
          onPath.add(child);
          stack.push({ job: child, next: 0 });
        }
      } else {
        stack.pop();
        onPath.delete(top.job);
        done.add(top.job);
      }
    }
  }
}

/**
 * A child pipeline's local files must be in the commit. GitLab finds a missing one only when the
 * trigger job runs (and fails it); the commit is known now, so the pipeline is refused at once.
 */
function checkTriggerIncludes(jobs: JobDefinition[], files: string[]): void {
  const present = new Set(files);
  for (const job of jobs) {
    for (const path of job.trigger?.include ?? []) {
      const local = path.replace(/^\/+/, '');
      if (!present.has(local)) throw new ConfigError([`Local file \`${local}\` does not exist!`]);
    }
  }
}

/**
 * Each job is stored as one item with its whole definition (script, variables, …), so a job's
 * definition is bounded (ours; GitLab bounds only the whole configuration, at about 1 MB).
 */
const MAX_JOB_BYTES = 256 * 1024;

/** The stages are stored with the pipeline, and bounded likewise (ours). */
const MAX_STAGES_BYTES = 64 * 1024;

function checkStagesSize(stages: string[]): void {
  if (Buffer.byteLength(JSON.stringify(stages)) > MAX_STAGES_BYTES) throw new ConfigError([`stages config is too big (at most ${MAX_STAGES_BYTES / 1024} KiB on this server)`]);
}

function checkJobSizes(jobs: JobDefinition[]): void {
  for (const job of jobs) {
    if (Buffer.byteLength(JSON.stringify(job)) > MAX_JOB_BYTES) throw new ConfigError([`jobs:${job.name} config is too big (at most ${MAX_JOB_BYTES / 1024} KiB per job on this server)`]);
  }
}

/** Needs of the jobs that stay, without optional needs on jobs that rules left out. */
function pruneNeeds(jobs: JobDefinition[]): JobDefinition[] {
  const present = new Set(jobs.map((job) => job.name));
  return jobs.map((job) => {
    if (!job.needs) return job;
    const kept = job.needs.filter((need) => {
      if (present.has(need.job)) return true;
      if (need.optional) return false;
      throw new ConfigError([`'${job.name}' job needs '${need.job}' job, but '${need.job}' is not in any previous stage`]);
    });
    return { ...job, needs: kept };
  });
}

/**
 * The file with its `spec:inputs` applied, every include merged in and every `!reference`
 * resolved: what the keywords are read from (GitLab's `Ci::Config#build_config`).
 */
export function loadConfig(text: string, context: PipelineContext): YamlMap {
  const includeVariables = { ...predefinedRuleVariables(context), ...context.variables };
  return resolveReferences(resolveIncludes(loadYaml(text, context.inputs), context, includeVariables));
}

/** The jobs the configuration expands into for this ref, before GitLab decides whether they make a pipeline. */
export function expandPipelineDefinition(text: string, context: PipelineContext): PipelineDefinition {
  const root = loadConfig(text, context);
  checkDefault(root);
  const stages = stagesOf(root);
  checkStagesSize(stages);
  let globals = stringVariables(root.variables, 'root');

  let name: string | null = null;
  let cancel = autoCancel(undefined);
  if (root.workflow !== undefined) {
    if (!isMap(root.workflow)) throw new ConfigError(['workflow config should be a hash']);
    const unknown = Object.keys(root.workflow).filter((key) => !['rules', 'name', 'auto_cancel'].includes(key));
    if (unknown.length > 0) throw new ConfigError([`workflow config contains unknown keys: ${unknown.join(', ')}`]);
    if (root.workflow.rules !== undefined) {
      const ruleVariables = { ...predefinedRuleVariables(context), ...globals, ...context.variables };
      const outcome = evaluateRules('workflow', root.workflow.rules, ruleVariables, context);
      if (!outcome || outcome.when === 'never') throw new PipelineFilteredError(WORKFLOW_FILTERED_MESSAGE);
      globals = { ...globals, ...outcome.variables };
    }
    if (typeof root.workflow.name === 'string') name = expandVariables(root.workflow.name, { ...predefinedRuleVariables(context), ...globals, ...context.variables }, { dropUnknown: true });
    cancel = autoCancel(root.workflow.auto_cancel);
    if (name !== null && [...name].length > 255) throw new ConfigError(['workflow name is too long (maximum is 255 characters)']);
  }

  const entries: Record<string, YamlMap> = {};
  for (const [key, value] of Object.entries(root)) {
    if (GLOBAL_KEYS.has(key)) continue;
    if (!isMap(value)) {
      if (key.startsWith('.')) continue;
      throw new ConfigError([`jobs:${key} config should be a hash`]);
    }
    entries[key] = value;
  }
  const resolved = resolveExtends(entries);
  for (const jobName of Object.keys(resolved)) {
    if (jobName.length > 255) throw new ConfigError([`jobs:${jobName.slice(0, 255)} name is too long (maximum is 255 characters)`]);
  }
  const candidates = new Map<string, Candidate>();
  for (const expanded of expandParallel(Object.entries(resolved).filter(([jobName]) => !jobName.startsWith('.')))) {
    candidates.set(expanded.name, buildJob(expanded, root, stages, globals, context));
  }
  if (candidates.size === 0) throw new ConfigError(['jobs config should contain at least one visible job']);
  checkNeeds(candidates, stages);
  checkEnvironments(candidates);

  const jobs = pruneNeeds([...candidates.values()].filter((candidate) => candidate.included).map((candidate) => candidate.definition));
  if (jobs.length === 0) throw new PipelineFilteredError(NO_JOBS_MESSAGE);
  checkTriggerIncludes(jobs, context.files);
  checkJobSizes(jobs);
  const usedStages = stages.filter((stage) => jobs.some((job) => job.stage === stage));
  return { stages: usedStages, jobs, name, autoCancel: cancel };
}

/** The pipeline GitLab creates: jobs of `.pre`/`.post` alone are none (its `Chain::Populate`). */
export function buildPipelineDefinition(text: string, context: PipelineContext): PipelineDefinition {
  const definition = expandPipelineDefinition(text, context);
  if (!definition.jobs.some((job) => job.stage !== '.pre' && job.stage !== '.post')) throw new PipelineFilteredError(NO_JOBS_MESSAGE);
  return definition;
}
