import * as z from '../../util/zod';
import { notFound } from '../errors';
import { lintConfig, type LintResult } from '../services/ci-lint';
import { readFileAt } from '../services/repository-files';
import { resolveRef } from '../git/commits';
import * as grape from './grape';
import { authenticated, authorize, findProject } from './request';
import { handlers, type GitLabApi } from './routing';
import { params, queryParams } from './validators';

/** CI Lint (`lib/api/lint.rb`): always 200, the verdict is in the body. */

/** `Entities::Ci::Lint::Result`. */
function lintEntity(result: LintResult, includeJobs: boolean | undefined) {
  return {
    valid: result.valid,
    errors: result.errors,
    warnings: result.warnings,
    merged_yaml: result.merged_yaml,
    includes: result.includes,
    ...(includeJobs ? { jobs: result.jobs } : {}),
  };
}

export const postParams = z.object({
  content: grape.string(),
  dry_run: grape.boolean().default(false),
  include_jobs: grape.boolean().optional(),
  ref: grape.string().optional(),
});

const lintContent = handlers(authenticated({ required: true }), params(postParams), async (c) => {
  const { content, dry_run: dryRun, include_jobs: includeJobs, ref } = c.var.params;
  const access = await findProject(c, c.var.principal);
  authorize(access, 'create_pipeline');
  return c.json(lintEntity(await lintConfig({ project: access.project, principal: c.var.principal, content, dryRun, ref }), includeJobs), 200);
});

/** Grape's `mutually_exclusive`. */
const exclusive = (a: string, b: string) => ({ message: `${a}, ${b} are mutually exclusive`, ...grape.besideOtherFaults });

export const getParams = z
  .object({
    sha: grape.string().optional(),
    content_ref: grape.string().optional(),
    dry_run: grape.boolean().default(false),
    include_jobs: grape.boolean().optional(),
    ref: grape.string().optional(),
    dry_run_ref: grape.string().optional(),
  })
  .refine((query) => query.sha === undefined || query.content_ref === undefined, exclusive('sha', 'content_ref'))
  .refine((query) => query.ref === undefined || query.dry_run_ref === undefined, exclusive('ref', 'dry_run_ref'));

/** The repository's own CI file at `content_ref` (the default branch's head by default). */
const lintRepository = handlers(authenticated({ required: false }), queryParams(getParams), async (c) => {
  const query = c.req.valid('query');
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_code');
  const { project } = access;
  if (project.defaultBranch === null) throw notFound('Repository');
  const commit = await resolveRef(project.id, query.content_ref ?? query.sha ?? project.defaultBranch);
  if (!commit) throw notFound('Commit');
  const content = (await readFileAt(project.id, commit, project.ciConfigPath))?.toString('utf8') ?? '';
  const result = await lintConfig({ project, principal: c.var.principal, content, contentCommit: commit, dryRun: query.dry_run, ref: query.dry_run_ref ?? query.ref });
  return c.json(lintEntity(result, query.include_jobs));
});

const instanceParams = z.object({ content: grape.string(), include_merged_yaml: grape.boolean().optional(), include_jobs: grape.boolean().optional() });

/**
 * The instance-level lint GitLab removed in 16.0, kept for the scripts and clients
 * (python-gitlab's `gl.ci_lint`) that still call it, in its last shape: `status` rather than
 * `valid`, no project context (`include: local` cannot be read).
 */
const lintInstance = handlers(authenticated({ required: true }), params(instanceParams), async (c) => {
  const { content, include_merged_yaml: includeMergedYaml, include_jobs: includeJobs } = c.var.params;
  const result = await lintConfig({ project: null, principal: c.var.principal, content, dryRun: false });
  return c.json({
    status: result.valid ? 'valid' : 'invalid',
    errors: result.errors,
    warnings: result.warnings,
    includes: result.includes,
    ...(includeMergedYaml ? { merged_yaml: result.merged_yaml } : {}),
    ...(includeJobs ? { jobs: result.jobs } : {}),
  });
});

export function mountLintRoutes(api: GitLabApi): void {
  api.post('/projects/:id/ci/lint', ...lintContent);
  api.get('/projects/:id/ci/lint', ...lintRepository);
  api.post('/ci/lint', ...lintInstance);
}
