import * as z from '../../util/zod';
import { GitLabError, notFound } from '../errors';
import { tagEntity, type TagView } from '../entities/tag';
import { commitIn, gitTimeIso, openProjectRepository } from '../git/commits';
import { isValidRefName, TAG_PREFIX } from '../git/ref-names';
import { peelToCommit, readObject, type Repository } from '../git/repository';
import { tagNames } from '../services/repository-reads';
import { createTag, deleteTag } from '../services/refs';
import * as grape from './grape';
import { pageRequest, paginationParams, setOffsetHeaders } from './pagination';
import { authenticated, authorize, findProject, requireUser } from './request';
import { handlers, type GitLabApi } from './routing';
import { params, pathParams, queryParams } from './validators';

/**
 * GitLab's tags API (`lib/api/tags.rb`): reading needs `read_code`, creating and deleting a
 * developer's `admin_tag`. Lists are ordered by the target commit's date (`updated`, newest
 * first by default), by name or by version, with GitLab's `^prefix`/`suffix$` search.
 */
async function tagView(repo: Repository, name: string): Promise<TagView | undefined> {
  const target = repo.refs.get(`${TAG_PREFIX}${name}`);
  if (!target) return undefined;
  const sha = await peelToCommit(repo, target);
  const commit = sha ? await commitIn(repo, sha) : undefined;
  if (!commit) return undefined;
  const read = await readObject(repo, target);
  if (read.type !== 'tag') return { name, target, commit, message: '', createdAt: null };
  const { tagger } = read.object;
  return { name, target, commit, message: read.object.message.replace(/\n+$/, ''), createdAt: gitTimeIso(tagger.timestamp, tagger.timezoneOffset) };
}

export const listQuery = z.object({
  order_by: grape.values(['name', 'updated', 'version']).default('updated'),
  sort: grape.values(['asc', 'desc']).default('desc'),
  search: grape.string().optional(),
  ...paginationParams,
});

/** Version order: numeric runs compared as numbers (`v1.10` after `v1.9`). */
function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

const list = handlers(authenticated({ required: false }), queryParams(listQuery), async (c) => {
  const query = c.req.valid('query');
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_code');
  const repo = await openProjectRepository(access.project.id);
  let names = tagNames(repo);
  if (query.search) {
    const text = query.search;
    names = names.filter((name) => (text.startsWith('^') ? name.startsWith(text.slice(1)) : text.endsWith('$') ? name.endsWith(text.slice(0, -1)) : name.includes(text)));
  }
  const tags = (await Promise.all(names.map((name) => tagView(repo, name)))).filter((tag): tag is TagView => tag !== undefined);
  const order = {
    name: (a: TagView, b: TagView) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    version: (a: TagView, b: TagView) => compareVersions(a.name, b.name),
    updated: (a: TagView, b: TagView) => Date.parse(a.commit.committedDate) - Date.parse(b.commit.committedDate) || (a.name < b.name ? -1 : 1),
  }[query.order_by];
  tags.sort((a, b) => (query.sort === 'asc' ? order(a, b) : order(b, a)));
  const request = pageRequest(query);
  setOffsetHeaders(c, request, { hasMore: request.offset + request.perPage < tags.length, total: tags.length });
  return c.json(tags.slice(request.offset, request.offset + request.perPage).map((tag) => tagEntity(tag, access.project)));
});

const tagPath = pathParams({ tag_name: z.string() });

/** GitLab's `find_tag!`. */
async function findTag(repo: Repository, name: string): Promise<TagView> {
  if (!isValidRefName(`${TAG_PREFIX}${name}`)) throw new GitLabError(400, { message: 'The tag refname is invalid' });
  const tag = await tagView(repo, name);
  if (!tag) throw notFound('Tag');
  return tag;
}

const show = handlers(authenticated({ required: false }), tagPath, async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_code');
  const repo = await openProjectRepository(access.project.id);
  return c.json(tagEntity(await findTag(repo, c.req.valid('param').tag_name), access.project));
});

export const createParams = z.object({ tag_name: grape.string(), ref: grape.string(), message: grape.boundedString(65_536).optional() });

const create = handlers(authenticated({ required: true }), params(createParams), async (c) => {
  const body = c.var.params;
  const access = await findProject(c, c.var.principal);
  authorize(access, 'push_code');
  const repo = await createTag({ project: access.project, user: requireUser(c.var.principal), tagName: body.tag_name, ref: body.ref, message: body.message });
  return c.json(tagEntity((await tagView(repo, body.tag_name))!, access.project), 201);
});

const remove = handlers(authenticated({ required: true }), tagPath, async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'push_code');
  const repo = await openProjectRepository(access.project.id);
  const tag = await findTag(repo, c.req.valid('param').tag_name);
  await deleteTag(repo, tag.name);
  return c.body(null, 204);
});

export function mountTagsRoutes(api: GitLabApi): void {
  api.get('/projects/:id/repository/tags', ...list);
  api.get('/projects/:id/repository/tags/:tag_name', ...show);
  api.post('/projects/:id/repository/tags', ...create);
  api.delete('/projects/:id/repository/tags/:tag_name', ...remove);
}
