import { RE2JS } from 're2js';
import * as z from '../../util/zod';
import { GitLabError, notFound } from '../errors';
import { branchEntity, type BranchView } from '../entities/branch';
import { openProjectRepository } from '../git/commits';
import { branchNames, branchView } from '../services/repository-reads';
import { createBranch, deleteBranch } from '../services/refs';
import { isValidBranchName } from '../validations/ref-name';
import * as grape from './grape';
import { pageRequest, paginationParams, setIdKeysetLink, setOffsetHeaders } from './pagination';
import { authenticated, authorize, findProject, requireUser } from './request';
import { handlers, type GitLabApi } from './routing';
import { params, pathParams, queryParams } from './validators';

/**
 * GitLab's branches API (`lib/api/branches.rb`): reading needs `read_code`, creating and deleting
 * `push_code`. `:branch` is URL-encoded (`feature%2Fx`). The list pages by offset with totals, or
 * by Gitaly's keyset (`pagination=keyset`, `page_token=<last branch name>`).
 */
export const listQuery = z.object({
  search: grape.string().optional(),
  regex: grape.string().optional(),
  sort: grape.values(['name_asc', 'updated_asc', 'updated_desc']).optional(),
  pagination: grape.string().optional(),
  page_token: grape.string().optional(),
  ...paginationParams,
});

/** `BranchesFinder`'s search: `^x` a prefix, `x$` a suffix, otherwise a part of the name, ignoring case. */
function searchMatcher(search: string): (name: string) => boolean {
  const text = search.toLowerCase();
  if (text.startsWith('^')) return (name) => name.toLowerCase().startsWith(text.slice(1));
  if (text.endsWith('$')) return (name) => name.toLowerCase().endsWith(text.slice(0, -1));
  return (name) => name.toLowerCase().includes(text);
}

function regexMatcher(source: string): (name: string) => boolean {
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(source);
  } catch {
    throw new GitLabError(400, { message: `400 Bad request - invalid regular expression: ${source}` });
  }
  return (name) => regex.matcher(name).find();
}

const committedAt = (branch: BranchView) => Date.parse(branch.commit.committedDate);

const list = handlers(authenticated({ required: false }), queryParams(listQuery), async (c) => {
  const query = c.req.valid('query');
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_code');
  const repo = await openProjectRepository(access.project.id);
  let names = branchNames(repo);
  if (query.search) names = names.filter(searchMatcher(query.search));
  if (query.regex) names = names.filter(regexMatcher(query.regex));
  const request = pageRequest(query);
  const sort = query.sort ?? 'name_asc';
  let branches: BranchView[];
  if (sort === 'name_asc') {
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (query.pagination === 'keyset') {
      const start = query.page_token === undefined ? 0 : names.findIndex((name) => name > query.page_token!);
      const page = start < 0 ? [] : names.slice(start, start + request.perPage);
      branches = (await Promise.all(page.map((name) => branchView(repo, access, name)))).filter((branch): branch is BranchView => branch !== undefined);
      if (page.length === request.perPage && start + page.length < names.length) setIdKeysetLink(c, { page_token: page.at(-1)! });
      return c.json(branches.map((branch) => branchEntity(branch, access.project)));
    }
    const page = names.slice(request.offset, request.offset + request.perPage);
    branches = (await Promise.all(page.map((name) => branchView(repo, access, name)))).filter((branch): branch is BranchView => branch !== undefined);
  } else {
    const all = (await Promise.all(names.map((name) => branchView(repo, access, name)))).filter((branch): branch is BranchView => branch !== undefined);
    all.sort((a, b) => (sort === 'updated_asc' ? committedAt(a) - committedAt(b) : committedAt(b) - committedAt(a)) || (a.name < b.name ? -1 : 1));
    branches = all.slice(request.offset, request.offset + request.perPage);
  }
  setOffsetHeaders(c, request, { hasMore: request.offset + request.perPage < names.length, total: names.length });
  return c.json(branches.map((branch) => branchEntity(branch, access.project)));
});

/** Grape's `allow_blank: false`. */
const notBlank = () => grape.string().refine((value) => value.trim() !== '', 'is empty');

const branchPath = pathParams({ branch: z.string() });

/** GitLab's `find_branch!`: a name git would refuse is a 400, a missing branch a 404. */
async function findBranch(access: Awaited<ReturnType<typeof findProject>>, name: string) {
  if (!isValidBranchName(name)) throw new GitLabError(400, { message: 'The branch refname is invalid' });
  const repo = await openProjectRepository(access.project.id);
  const branch = await branchView(repo, access, name);
  if (!branch) throw notFound('Branch');
  return { repo, branch };
}

const show = handlers(authenticated({ required: false }), branchPath, async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_code');
  const { branch } = await findBranch(access, c.req.valid('param').branch);
  // Hono answers HEAD from this route without the body; GitLab's HEAD is a bare 204 (404 when missing).
  if (c.req.method === 'HEAD') return c.body(null, 204);
  return c.json(branchEntity(branch, access.project));
});

export const createParams = z.object({ branch: notBlank(), ref: notBlank() });

const create = handlers(authenticated({ required: true }), params(createParams), async (c) => {
  const { branch, ref } = c.var.params;
  const access = await findProject(c, c.var.principal);
  authorize(access, 'push_code');
  const repo = await createBranch(access.project, requireUser(c.var.principal), branch, ref);
  const view = await branchView(repo, access, branch);
  return c.json(branchEntity(view!, access.project), 201);
});

const remove = handlers(authenticated({ required: true }), branchPath, async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'push_code');
  const { repo, branch } = await findBranch(access, c.req.valid('param').branch);
  await deleteBranch(access.project, repo, branch.name);
  return c.body(null, 204);
});

export function mountBranchesRoutes(api: GitLabApi): void {
  api.get('/projects/:id/repository/branches', ...list);
  api.get('/projects/:id/repository/branches/:branch', ...show);
  api.post('/projects/:id/repository/branches', ...create);
  api.delete('/projects/:id/repository/branches/:branch', ...remove);
}
