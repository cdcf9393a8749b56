import { ConfigError, PipelineFilteredError } from '../ci-config/errors';
import { collectIncludes } from '../ci-config/includes';
import type { YamlMap } from '../ci-config/load';
import { buildPipelineDefinition, expandPipelineDefinition, predefinedRuleVariables } from '../ci-config/pipeline';
import type { PipelineContext, PipelineDefinition } from '../ci-config/types';
import { webUrl } from '../entities/format';
import { expandConfig, mergedYaml, withoutConditions } from '../lint/expand';
import { dryRunJobs, lintWarnings, staticJobs } from '../lint/report';
import type { CommitRecord, ProjectRecord } from '../records';
import { fullPath } from '../store/projects';
import { listFilesIn, openProjectRepository, resolveIn } from '../git/commits';
import type { Principal } from '../auth/principal';
import { includeReader } from './include-reader';

/**
 * CI Lint (`Gitlab::Ci::Lint`): the configuration checked by the parser pipeline creation uses,
 * with the same inputs (the project's files for `include:`, the ref's predefined variables), so
 * lint and create never disagree. A static check reports every job as written; a dry run
 * simulates a push pipeline on `ref`, with rules and workflow applied.
 */
export interface LintRequest {
  /** None for the instance-level `POST /ci/lint`. */
  project: ProjectRecord | null;
  /** Who lints: `include:project` reads only projects they may read. */
  principal?: Principal;
  content: string;
  /** Where `include: local` files are read from (default: the default branch's head). */
  contentCommit?: CommitRecord;
  dryRun: boolean;
  /** The dry run's branch or tag (default: the default branch). */
  ref?: string;
}

export interface LintInclude {
  type: 'local';
  location: string;
  blob: string | null;
  raw: string | null;
  extra: Record<string, never>;
  context_project: string | null;
  context_sha: string | null;
}

export interface LintResult {
  valid: boolean;
  errors: string[];
  warnings: string[];
  merged_yaml: string | null;
  includes: LintInclude[] | null;
  jobs: unknown[];
}

const ZERO_SHA = '0000000000000000000000000000000000000000';

function includeEntries(project: ProjectRecord | null, commit: CommitRecord | undefined, paths: string[]): LintInclude[] {
  return paths.map((location) => ({
    type: 'local',
    location,
    blob: project && commit ? webUrl(`${fullPath(project)}/-/blob/${commit.sha}/${location}`) : null,
    raw: project && commit ? webUrl(`${fullPath(project)}/-/raw/${commit.sha}/${location}`) : null,
    extra: {},
    context_project: project ? fullPath(project) : null,
    context_sha: commit?.sha ?? null,
  }));
}

function contextFor(project: ProjectRecord | null, commit: CommitRecord | undefined, ref: string, files: string[]): PipelineContext {
  return {
    ref,
    tag: false,
    sha: commit?.sha ?? ZERO_SHA,
    source: 'push',
    defaultBranch: project?.defaultBranch ?? null,
    projectPath: project ? fullPath(project) : '',
    variables: {},
    files,
  };
}

type Parsed = { definition: PipelineDefinition } | { errors: string[]; filtered: boolean };

function parse(text: string, context: PipelineContext, build = buildPipelineDefinition): Parsed {
  try {
    return { definition: build(text, context) };
  } catch (error) {
    if (error instanceof ConfigError) return { errors: error.errors, filtered: false };
    if (error instanceof PipelineFilteredError) return { errors: [error.message], filtered: true };
    throw error;
  }
}

export async function lintConfig(request: LintRequest): Promise<LintResult> {
  const { project, content } = request;
  const defaultBranch = project?.defaultBranch ?? 'main';
  const ref = request.dryRun ? (request.ref ?? defaultBranch) : defaultBranch;
  const repo = project ? await openProjectRepository(project.id) : undefined;
  const commit = repo ? (request.dryRun ? await resolveIn(repo, ref) : (request.contentCommit ?? (await resolveIn(repo, defaultBranch)))) : undefined;
  const invalid = (errors: string[]): LintResult => ({ valid: false, errors, warnings: [], merged_yaml: null, includes: null, jobs: [] });
  if (request.dryRun && !commit) return invalid(['Reference not found']);

  const files = repo && commit ? await listFilesIn(repo, commit.treeId) : [];
  let context = contextFor(project, commit, ref, files);
  let expanded: YamlMap;
  try {
    const reader = includeReader(repo, commit, request.principal);
    context = { ...context, ...(await collectIncludes(content, reader, { files, variables: predefinedRuleVariables(context) })) };
    expanded = expandConfig(content, context);
  } catch (error) {
    if (error instanceof ConfigError) return invalid(error.errors);
    throw error;
  }
  const localIncludes = Object.keys(context.includes ?? {}).filter((key) => !key.includes('@'));
  const report = { warnings: lintWarnings(expanded), merged_yaml: mergedYaml(expanded), includes: includeEntries(project, commit, localIncludes) };
  const parsed = parse(content, context);

  if (request.dryRun) {
    if (!('definition' in parsed)) return { valid: false, errors: parsed.errors, ...report, jobs: [] };
    return { valid: true, errors: [], ...report, jobs: dryRunJobs(parsed.definition, expanded) };
  }
  // Static: rules and workflow decide nothing yet, so a configuration they filter is still valid.
  if ('errors' in parsed && !parsed.filtered) return { valid: false, errors: parsed.errors, ...report, jobs: [] };
  // GitLab's static check lists jobs without populating a pipeline, so `.pre`/`.post` alone still list.
  const all = parse(JSON.stringify(withoutConditions(expanded)), { ...context, includes: {} }, expandPipelineDefinition);
  return { valid: true, errors: [], ...report, jobs: 'definition' in all ? staticJobs(all.definition, expanded) : [] };
}
