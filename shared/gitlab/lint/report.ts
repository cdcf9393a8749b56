import { isMap, type YamlMap } from '../ci-config/load';
import type { JobDefinition, PipelineDefinition } from '../ci-config/types';
import { effectiveAllowFailure } from '../state/job-events';
import { isJobEntry } from './expand';

/** What CI Lint reports besides validity: the jobs (`include_jobs`) and warnings, in GitLab's shapes. */
const MAX_WARNINGS = 25;
const WARNINGS_DOCS = 'read more: https://docs.gitlab.com/ee/ci/jobs/job_troubleshooting.html#job-may-allow-multiple-pipelines-to-run-for-a-single-action-warning';

/** GitLab's `Entry::Job` warning: without `workflow:rules`, rules ending in a bare `when` may run duplicate pipelines. */
export function lintWarnings(expanded: YamlMap): string[] {
  if (isMap(expanded.workflow) && expanded.workflow.rules !== undefined) return [];
  const warnings: string[] = [];
  for (const [name, job] of Object.entries(expanded)) {
    if (name.startsWith('.') || !isJobEntry(name, job) || !Array.isArray(job.rules)) continue;
    const last = job.rules.at(-1);
    if (isMap(last) && Object.keys(last).length === 1 && last.when !== undefined && last.when !== 'never') {
      warnings.push(`jobs:${name} may allow multiple pipelines to run for a single action due to \`rules:when\` clause with no \`workflow:rules\` - ${WARNINGS_DOCS}`);
    }
  }
  return warnings.slice(0, MAX_WARNINGS);
}

function environmentName(job: unknown): string | null {
  if (!isMap(job)) return null;
  const environment = job.environment;
  if (typeof environment === 'string') return environment;
  return isMap(environment) && typeof environment.name === 'string' ? environment.name : null;
}

/** `only`/`except` as GitLab normalises them: a list is `{refs: [...]}`; jobs with rules (or under workflow rules) have no default `only`. */
function policy(value: unknown, fallback: unknown): unknown {
  if (value === undefined || value === null) return fallback;
  if (Array.isArray(value)) return { refs: value.map(String) };
  if (typeof value === 'string') return { refs: [value] };
  return value;
}

/** The job as written: a `parallel:` job's entries share the entry of the name they were expanded from. */
function writtenJob(expanded: YamlMap, name: string): YamlMap {
  const own = expanded[name];
  if (isMap(own)) return own;
  const base = Object.keys(expanded).find((key) => name.startsWith(`${key} `) || name.startsWith(`${key}: [`));
  return base !== undefined && isMap(expanded[base]) ? expanded[base] : {};
}

function byStage<T extends { stage: string }>(jobs: readonly T[], stages: readonly string[]): T[] {
  return stages.flatMap((stage) => jobs.filter((job) => job.stage === stage));
}

/** The static check's jobs (`Gitlab::Ci::Lint#static_validation`): every job, as written, stage by stage. */
export function staticJobs(definition: PipelineDefinition, expanded: YamlMap) {
  const workflowRules = isMap(expanded.workflow) && expanded.workflow.rules !== undefined;
  return byStage(definition.jobs, definition.stages).map((job: JobDefinition) => {
    const raw = writtenJob(expanded, job.name);
    const conditional = raw.rules !== undefined || workflowRules;
    return {
      name: job.name,
      stage: job.stage,
      before_script: job.beforeScript,
      script: job.script,
      after_script: job.afterScript,
      tag_list: job.tags,
      only: policy(raw.only, conditional ? null : { refs: ['branches', 'tags'] }),
      except: policy(raw.except, null),
      environment: environmentName(raw),
      when: job.when,
      allow_failure: effectiveAllowFailure(job),
      needs: job.needs && job.needs.length > 0 ? job.needs.map((need) => ({ name: need.job, artifacts: need.artifacts, optional: need.optional })) : null,
    };
  });
}

/** A simulated push pipeline's jobs (`dry_run`): what rules kept, with the `when` they decided. */
export function dryRunJobs(definition: PipelineDefinition, expanded: YamlMap) {
  return byStage(definition.jobs, definition.stages).map((job) => ({
    name: job.name,
    stage: job.stage,
    before_script: job.beforeScript,
    script: job.script,
    after_script: job.afterScript,
    tag_list: job.trigger ? [] : job.tags,
    environment: environmentName(writtenJob(expanded, job.name)),
    when: job.when,
    allow_failure: effectiveAllowFailure(job),
  }));
}
