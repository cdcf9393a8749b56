import * as z from '../../util/zod';
import { GitLabError, notFound } from '../errors';
import { commitEntity } from '../entities/commit';
import { diffEntity } from '../entities/diff';
import { webUrl } from '../entities/format';
import { commitRecordOf, entryAt, openProjectRepository, resolveIn } from '../git/commits';
import { commitsBetween, mergeBase } from '../git/history';
import { patchOf } from '../git/patch';
import { readObject, type Repository } from '../git/repository';
import { archiveStream, type ArchiveFormat } from '../git/archive';
import { diffTrees } from '../git/tree-diff';
import { findCommitIn } from '../services/repository-reads';
import { fullPath } from '../store/projects';
import * as grape from './grape';
import { pageRequest, paginationParams, setIdKeysetLink, setOffsetHeaders } from './pagination';
import { authenticated, authorize, findProject } from './request';
import { handlers, type GitLabApi } from './routing';
import { queryParams } from './validators';

/**
 * GitLab's repository tree and compare (`lib/api/repositories.rb`), both needing `read_code`.
 * The tree lists a directory's entries (or, `recursive`, every entry below it), directories
 * first, paged by offset with totals, by Gitaly's keyset (`pagination=keyset`,
 * `page_token=<id of the last entry>`), or not at all (`pagination=none`, recursive only).
 */
interface TreeItem {
  id: string;
  name: string;
  type: 'tree' | 'blob' | 'commit';
  path: string;
  mode: string;
}

async function listTree(repo: Repository, tree: string, prefix: string, recursive: boolean, into: TreeItem[]): Promise<void> {
  const read = await readObject(repo, tree);
  if (read.type !== 'tree') return;
  for (const entry of read.object) {
    const path = `${prefix}${entry.path}`;
    into.push({ id: entry.oid, name: entry.path, type: entry.type, path, mode: entry.mode });
    if (recursive && entry.type === 'tree') await listTree(repo, entry.oid, `${path}/`, true, into);
  }
}

export const treeQuery = z
  .object({
    ref: grape.string().optional(),
    path: grape.string().optional(),
    recursive: grape.boolean().default(false),
    pagination: grape.values(['legacy', 'keyset', 'none']).default('legacy'),
    page_token: grape.string().optional(),
    ...paginationParams,
  })
  .refine((query) => !(query.pagination === 'none' && !query.recursive), { message: 'pagination cannot be "none" unless "recursive" is true', path: [] });

const tree = handlers(authenticated({ required: false }), queryParams(treeQuery), async (c) => {
  const query = c.req.valid('query');
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_code');
  const repo = await openProjectRepository(access.project.id);
  const ref = query.ref ?? access.project.defaultBranch;
  const commit = ref ? await findCommitIn(repo, ref) : undefined;
  if (!commit) throw notFound('Tree');
  const path = (query.path ?? '').replace(/^\/+|\/+$/g, '');
  let tree = commit.treeId;
  if (path !== '') {
    const entry = await entryAt(repo, commit.treeId, path);
    // Gitaly's answer for a path that names no directory, passed on by GitLab as a 404.
    if (!entry || entry.type !== 'tree') throw notFound('invalid revision or path');
    tree = entry.oid;
  }
  const items: TreeItem[] = [];
  await listTree(repo, tree, path === '' ? '' : `${path}/`, query.recursive, items);
  // Directories first, each group in git's order (Gitaly's TREES_FIRST).
  const sorted = [...items.filter((item) => item.type === 'tree'), ...items.filter((item) => item.type !== 'tree')];
  if (query.pagination === 'none') return c.json(sorted);
  const request = pageRequest(query);
  if (query.pagination === 'keyset') {
    let start = 0;
    if (query.page_token !== undefined) {
      const index = sorted.findIndex((item) => item.id === query.page_token);
      if (index < 0) throw new GitLabError(400, { message: `400 Bad request - could not find starting OID: ${query.page_token}` });
      start = index + 1;
    }
    const page = sorted.slice(start, start + request.perPage);
    if (page.length === request.perPage && start + page.length < sorted.length) setIdKeysetLink(c, { page_token: page.at(-1)!.id });
    return c.json(page);
  }
  setOffsetHeaders(c, request, { hasMore: request.offset + request.perPage < sorted.length, total: sorted.length });
  return c.json(sorted.slice(request.offset, request.offset + request.perPage));
});

const compareQuery = z.object({
  from: grape.string(),
  to: grape.string(),
  from_project_id: grape.integer(z.int().optional()),
  straight: grape.boolean().default(false),
  unidiff: grape.boolean().default(false),
});

const compare = handlers(authenticated({ required: false }), queryParams(compareQuery), async (c) => {
  const query = c.req.valid('query');
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_code');
  if (query.from_project_id !== undefined && query.from_project_id !== access.project.id) {
    throw new GitLabError(400, { message: `Target project id:${query.from_project_id} is not a fork of project id:${c.req.param('id')}` });
  }
  const repo = await openProjectRepository(access.project.id);
  const [from, to] = await Promise.all([findCommitIn(repo, query.from), findCommitIn(repo, query.to)]);
  if (!from || !to) throw notFound('Ref');
  // `from...to` compares with the merge base, `from..to` (straight) with `from` itself.
  const baseSha = query.straight ? from.sha : await mergeBase(repo, from.sha, to.sha);
  const base = baseSha ? await resolveIn(repo, baseSha) : undefined;
  const same = from.sha === to.sha;
  const commits = same ? [] : await commitsBetween(repo, query.straight ? from.sha : baseSha, to.sha);
  const changes = same ? [] : await diffTrees(repo, base?.treeId, to.treeId);
  const patches = await Promise.all(changes.map((change) => patchOf(repo, change)));
  const path = fullPath(access.project);
  const entities = commits.map(({ sha, commit }) => commitEntity(commitRecordOf(sha, commit), path));
  return c.json({
    commit: entities.at(-1) ?? null,
    commits: entities,
    diffs: patches.map((patch) => diffEntity(patch, query.unidiff)),
    compare_timeout: false,
    compare_same_ref: same,
    web_url: webUrl(`${path}/-/compare/${query.straight ? from.sha : (baseSha ?? from.sha)}...${to.sha}`),
  });
});

const ARCHIVE_FORMATS: Record<string, ArchiveFormat> = { '': 'tar.gz', 'tar.gz': 'tar.gz', tgz: 'tar.gz', gz: 'tar.gz', tar: 'tar', zip: 'zip' };

/**
 * `GET /projects/:id/repository/archive[.format]` (`sha` a ref or commit, `path` a directory):
 * `<project>-<ref>-<sha>[-<path>]` is both the file's name and the top directory inside it.
 */
const archive = handlers(
  authenticated({ required: false }),
  queryParams(z.object({ sha: grape.string().optional(), format: grape.string().optional(), path: grape.string().optional(), include_lfs_blobs: grape.boolean().default(true) })),
  async (c) => {
    const query = c.req.valid('query');
    const access = await findProject(c, c.var.principal);
    authorize(access, 'read_code');
    const suffix = c.req.path.slice(c.req.path.lastIndexOf('/archive') + '/archive'.length).replace(/^\./, '');
    const format = ARCHIVE_FORMATS[query.format ?? suffix];
    if (!format) throw notFound('File');
    const repo = await openProjectRepository(access.project.id);
    const ref = query.sha ?? access.project.defaultBranch ?? 'HEAD';
    const commit = await findCommitIn(repo, ref);
    if (!commit) throw notFound('File');
    const path = (query.path ?? '').replace(/^\/+|\/+$/g, '');
    let tree = commit.treeId;
    if (path !== '') {
      const entry = await entryAt(repo, commit.treeId, path);
      if (!entry || entry.type !== 'tree') throw notFound('File');
      tree = entry.oid;
    }
    const refPart = ref === commit.sha ? '' : `-${ref.replace(/\//g, '-')}`;
    const stem = `${access.project.path}${refPart}-${commit.sha}${path ? `-${path.replace(/\//g, '-')}` : ''}`;
    const extension = format === 'zip' ? 'zip' : format;
    const body = await archiveStream(repo, tree, stem, format, new Date(commit.committedDate));
    return c.body(body, 200, {
      'Content-Type': format === 'zip' ? 'application/zip' : format === 'tar' ? 'application/x-tar' : 'application/gzip',
      'Content-Disposition': `attachment; filename="${stem}.${extension}"`,
      'Content-Transfer-Encoding': 'binary',
    });
  },
);

export function mountRepositoryRoutes(api: GitLabApi): void {
  api.get('/projects/:id/repository/tree', ...tree);
  api.get('/projects/:id/repository/compare', ...compare);
  for (const suffix of Object.keys(ARCHIVE_FORMATS)) api.get(`/projects/:id/repository/archive${suffix ? `.${suffix}` : ''}`, ...archive);
}
