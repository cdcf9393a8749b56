import * as z from '../../util/zod';
import { canPushToBranch } from '../auth/branch-access';
import { can } from '../auth/policy';
import { forbidden, GitLabError, notFound, unauthorized } from '../errors';
import { commitEntity } from '../entities/commit';
import { diffEntity, statsEntity } from '../entities/diff';
import { pipelineBasic } from '../entities/pipeline';
import { commitIn, commitRecordOf, openProjectRepository, resolveIn } from '../git/commits';
import { isAncestor, logCommits } from '../git/history';
import { BRANCH_PREFIX, TAG_PREFIX } from '../git/ref-names';
import type { CommitRecord, ProjectRecord } from '../records';
import { commitPatches, findCommitIn } from '../services/repository-reads';
import { createCommit, type CommitAction } from '../services/repository-commits';
import { latestPipelineForSha } from '../store/pipeline-list';
import { fullPath } from '../store/projects';
import * as grape from './grape';
import { pageRequest, paginationParams, setOffsetHeaders } from './pagination';
import { authenticated, authorize, findProject, requireUser } from './request';
import { handlers, type GitLabApi } from './routing';
import { params, pathParams, queryParams } from './validators';
import type { ProjectAccess } from '../auth/policy';
import type { Repository } from '../git/repository';

/**
 * GitLab's commits API (`lib/api/commits.rb`): the log of a ref (offset pages without totals, a
 * next page whenever the page is full), one commit with its stats and last pipeline, its diff,
 * the refs that contain it, and a commit of several file actions (`Files::MultiService`).
 */

/** Grape's `DateTime`: an ISO 8601 time (a date alone is midnight UTC). */
const dateTime = () =>
  grape.string().pipe(
    z
      .string()
      .refine((text) => !Number.isNaN(Date.parse(text)), 'is invalid')
      .transform((text) => Math.floor(Date.parse(text) / 1000)),
  );

export const listQuery = z.object({
  ref_name: grape.string().optional(),
  since: dateTime().optional(),
  until: dateTime().optional(),
  path: grape.string().optional(),
  author: grape.string().optional(),
  all: grape.boolean().optional(),
  with_stats: grape.boolean().optional(),
  first_parent: grape.boolean().optional(),
  order: grape.values(['default', 'topo']).default('default'),
  trailers: grape.boolean().default(false),
  ...paginationParams,
});

async function withStats(repo: Repository, commit: CommitRecord, project: ProjectRecord) {
  return { ...commitEntity(commit, fullPath(project)), stats: statsEntity(await commitPatches(repo, commit)) };
}

const list = handlers(authenticated({ required: false }), queryParams(listQuery), async (c) => {
  const query = c.req.valid('query');
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_code');
  const repo = await openProjectRepository(access.project.id);
  const request = pageRequest(query);
  let tips: string[];
  if (query.all) tips = [...repo.refs.entries()].filter(([name]) => name.startsWith(BRANCH_PREFIX) || name.startsWith(TAG_PREFIX)).map(([, oid]) => oid);
  else {
    const ref = query.ref_name || access.project.defaultBranch;
    // git refuses a revision that looks like an option, which GitLab reports as an invalid ref_name.
    if (ref?.startsWith('-')) throw new GitLabError(400, { message: 'ref_name is invalid' });
    const commit = ref ? await resolveIn(repo, ref) : undefined;
    tips = commit ? [commit.sha] : [];
  }
  let logged = await logCommits(repo, tips, {
    firstParent: query.first_parent,
    path: query.path,
    since: query.since,
    until: query.until,
    offset: query.author ? 0 : request.offset,
    limit: query.author ? undefined : request.perPage,
  });
  if (query.author) {
    const author = query.author.toLowerCase();
    logged = logged.filter(({ commit }) => `${commit.author.name} <${commit.author.email}>`.toLowerCase().includes(author)).slice(request.offset, request.offset + request.perPage);
  }
  const commits = logged.map(({ sha, commit }) => commitRecordOf(sha, commit));
  setOffsetHeaders(c, request, { hasMore: commits.length === request.perPage });
  const path = fullPath(access.project);
  return c.json(query.with_stats ? await Promise.all(commits.map((commit) => withStats(repo, commit, access.project))) : commits.map((commit) => commitEntity(commit, path)));
});

const shaPath = pathParams({ sha: z.string() });

async function findCommit(access: ProjectAccess, sha: string): Promise<{ repo: Repository; commit: CommitRecord }> {
  const repo = await openProjectRepository(access.project.id);
  const commit = await findCommitIn(repo, sha);
  if (!commit) throw notFound('Commit');
  return { repo, commit };
}

/** `Entities::CommitDetail`: the commit, its `stats`, its last pipeline's status, the project. */
async function commitDetail(repo: Repository, commit: CommitRecord, access: ProjectAccess, includeStats: boolean) {
  const pipeline = await latestPipelineForSha(access.project.id, commit.sha);
  return {
    ...commitEntity(commit, fullPath(access.project)),
    ...(includeStats ? { stats: statsEntity(await commitPatches(repo, commit)) } : {}),
    status: pipeline?.status ?? null,
    project_id: access.project.id,
    last_pipeline: pipeline && can(access, 'read_pipeline') ? pipelineBasic(pipeline, access.project) : null,
  };
}

const show = handlers(authenticated({ required: false }), shaPath, queryParams(z.object({ stats: grape.boolean().default(true) })), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_code');
  const { repo, commit } = await findCommit(access, c.req.valid('param').sha);
  return c.json(await commitDetail(repo, commit, access, c.req.valid('query').stats));
});

const diff = handlers(authenticated({ required: false }), shaPath, queryParams(z.object({ unidiff: grape.boolean().default(false), ...paginationParams })), async (c) => {
  const query = c.req.valid('query');
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_code');
  const { repo, commit } = await findCommit(access, c.req.valid('param').sha);
  const patches = await commitPatches(repo, commit);
  const request = pageRequest(query);
  setOffsetHeaders(c, request, { hasMore: request.offset + request.perPage < patches.length, total: patches.length });
  return c.json(patches.slice(request.offset, request.offset + request.perPage).map((patch) => diffEntity(patch, query.unidiff)));
});

const refs = handlers(authenticated({ required: false }), shaPath, queryParams(z.object({ type: grape.values(['branch', 'tag', 'all']).default('all'), ...paginationParams })), async (c) => {
  const query = c.req.valid('query');
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_code');
  const { repo, commit } = await findCommit(access, c.req.valid('param').sha);
  const refs: { type: 'branch' | 'tag'; name: string }[] = [];
  for (const [type, prefix] of [['branch', BRANCH_PREFIX], ['tag', TAG_PREFIX]] as const) {
    if (query.type !== 'all' && query.type !== type) continue;
    const names = [...repo.refs.keys()].filter((name) => name.startsWith(prefix)).sort();
    for (const name of names) {
      const tip = await resolveIn(repo, name);
      if (tip && (await isAncestor(repo, commit.sha, tip.sha))) refs.push({ type, name: name.slice(prefix.length) });
    }
  }
  const request = pageRequest(query);
  setOffsetHeaders(c, request, { hasMore: request.offset + request.perPage < refs.length, total: refs.length });
  return c.json(refs.slice(request.offset, request.offset + request.perPage));
});

const action = z.object({
  action: grape.values(['create', 'update', 'move', 'delete', 'chmod']),
  file_path: grape.string(),
  previous_path: grape.string().optional(),
  content: grape.string().optional(),
  encoding: grape.values(['text', 'base64']).default('text'),
  last_commit_id: grape.string().optional(),
  execute_filemode: grape.boolean().optional(),
});

const createParams = z
  .object({
    branch: grape.string().refine((value) => value.trim() !== '', 'is empty'),
    commit_message: grape.boundedString(65_536),
    actions: grape.hashList(action.shape),
    start_branch: grape.string().optional(),
    start_sha: grape.string().optional(),
    start_project: grape.string().optional(),
    author_email: grape.boundedString(255).optional(),
    author_name: grape.boundedString(255).optional(),
    stats: grape.boolean().default(true),
    force: grape.boolean().default(false),
  })
  .superRefine((value, context) => {
    (value.actions ?? []).forEach((item, index) => {
      if (item.action === 'move' && item.previous_path === undefined) context.addIssue({ code: 'custom', path: ['actions', index, 'previous_path'], message: 'is missing', input: undefined });
      if (item.action === 'update' && item.content === undefined) context.addIssue({ code: 'custom', path: ['actions', index, 'content'], message: 'is missing', input: undefined });
      if (item.action === 'chmod' && item.execute_filemode === undefined) context.addIssue({ code: 'custom', path: ['actions', index, 'execute_filemode'], message: 'is missing', input: undefined });
    });
    if (value.start_branch !== undefined && value.start_sha !== undefined) context.addIssue({ code: 'custom', path: [], message: 'start_branch, start_sha are mutually exclusive', input: value });
  }, grape.besideOtherFaults);

const create = handlers(authenticated({ required: true }), params(createParams), async (c) => {
  const body = c.var.params;
  const access = await findProject(c, c.var.principal);
  if (body.start_project !== undefined && body.start_project !== String(access.project.id) && body.start_project !== fullPath(access.project)) {
    throw forbidden(`Project is not included in the fork network for ${access.project.name}`);
  }
  if (c.var.principal.kind === 'anonymous') throw unauthorized();
  if (!canPushToBranch(access, body.branch)) throw forbidden('You are not allowed to push into this branch');
  const actions: CommitAction[] = body.actions.map((item) => ({
    action: item.action,
    filePath: item.file_path,
    previousPath: item.previous_path,
    content: item.content === undefined ? undefined : Buffer.from(item.content, item.encoding === 'base64' ? 'base64' : 'utf8'),
    lastCommitId: item.last_commit_id,
    executeFilemode: item.execute_filemode,
  }));
  const commit = await createCommit({
    project: access.project,
    user: requireUser(c.var.principal),
    branch: body.branch,
    startBranch: body.start_branch,
    startSha: body.start_sha,
    force: body.force,
    commitMessage: body.commit_message,
    authorName: body.author_name,
    authorEmail: body.author_email,
    actions,
  });
  const repo = await openProjectRepository(access.project.id);
  return c.json(await commitDetail(repo, (await commitIn(repo, commit.sha)) ?? commit, access, body.stats), 201);
});

export function mountCommitsRoutes(api: GitLabApi): void {
  api.get('/projects/:id/repository/commits', ...list);
  api.get('/projects/:id/repository/commits/:sha', ...show);
  api.get('/projects/:id/repository/commits/:sha/diff', ...diff);
  api.get('/projects/:id/repository/commits/:sha/refs', ...refs);
  api.post('/projects/:id/repository/commits', ...create);
}
