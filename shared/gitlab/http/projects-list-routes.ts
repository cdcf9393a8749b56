import * as z from '../../util/zod';
import { GitLabError } from '../errors';
import { memberEntity } from '../entities/member';
import { basicProjectDetails, projectEntity } from '../entities/project';
import { findProjects } from '../services/project-list';
import { PROJECT_ORDERS } from '../state/project-finder';
import { projectStatistics } from '../store/project-statistics';
import { listMembers } from '../store/projects';
import { getUsers } from '../store/users';
import * as grape from './grape';
import { checkOffsetLimit, pageRequest, paginationParams, setIdKeysetLink, setOffsetHeaders } from './pagination';
import { authenticated, findProject } from './request';
import { handlers, type GitLabApi } from './routing';
import { queryParams } from './validators';

/** `GET /projects` (`lib/api/projects.rb`) and `GET /projects/:id/members/all`. */
const ACCESS_LEVELS = ['10', '15', '20', '30', '40', '50'] as const;
/** GitLab counts at most this many rows; beyond it a list has no totals. */
const MAX_COUNT = 10_000;

export const listParams = z.object({
  search: grape.string().optional(),
  search_namespaces: grape.boolean().optional(),
  topic: z.preprocess((value) => (typeof value === 'string' ? value.split(',') : value), grape.stringList()).transform((topics) => topics.map((topic) => topic.trim()).filter(Boolean)).optional(),
  owned: grape.boolean().default(false),
  membership: grape.boolean().default(false),
  starred: grape.boolean().default(false),
  visibility: grape.values(['private', 'internal', 'public']).optional(),
  order_by: grape.values(PROJECT_ORDERS).default('created_at'),
  sort: grape.values(['asc', 'desc']).default('desc'),
  simple: grape.boolean().default(false),
  statistics: grape.boolean().default(false),
  min_access_level: grape.values(ACCESS_LEVELS).transform(Number).optional(),
  archived: grape.boolean().optional(),
  id_after: grape.integer(z.int().optional()),
  id_before: grape.integer(z.int().optional()),
  pagination: grape.values(['offset', 'keyset']).default('offset'),
  ...paginationParams,
});

const KEYSET_UNAVAILABLE = () => new GitLabError(405, { message: 'Keyset pagination is not yet available for this type of request' });

const list = handlers(authenticated({ required: false }), queryParams(listParams), async (c) => {
  const query = c.req.valid('query');
  const principal = c.var.principal;
  const keyset = query.pagination === 'keyset';
  // Keyset paging is on the id alone, so the order must be by id.
  if (keyset && query.order_by !== 'id') throw KEYSET_UNAVAILABLE();
  const page = pageRequest(query);
  if (!keyset) checkOffsetLimit(page, 'Project');
  const { projects, memberships } = await findProjects(
    principal,
    {
      search: query.search,
      searchNamespaces: query.search_namespaces,
      topics: query.topic,
      owned: query.owned,
      membership: query.membership,
      visibility: query.visibility,
      minAccessLevel: query.min_access_level,
      archived: query.archived,
      idAfter: query.id_after,
      idBefore: query.id_before,
    },
    { by: query.order_by, sort: query.sort },
  );
  // Nobody stars projects here.
  const matching = query.starred ? [] : projects;
  const shown = keyset ? matching.slice(0, page.perPage) : matching.slice(page.offset, page.offset + page.perPage);
  if (keyset) {
    const last = shown.at(-1);
    if (last) setIdKeysetLink(c, query.sort === 'asc' ? { id_after: last.id } : { id_before: last.id });
  } else {
    setOffsetHeaders(c, page, { hasMore: matching.length > page.offset + page.perPage, total: matching.length > MAX_COUNT ? undefined : matching.length });
  }
  const owners = await getUsers(shown.map((project) => project.creatorId));
  if (query.simple || principal.kind === 'anonymous') return c.json(shown.map((project) => basicProjectDetails(project, owners.get(project.creatorId))));
  const admin = principal.kind === 'user' && principal.user.admin;
  const entities = await Promise.all(
    shown.map(async (project) => {
      const level = memberships.get(project.id) ?? 0;
      const statistics = query.statistics && (admin || level >= 20) ? await projectStatistics(project.id) : undefined;
      return projectEntity(project, owners.get(project.creatorId), { accessLevel: level, emptyRepo: project.defaultBranch === null, statistics });
    }),
  );
  return c.json(entities);
});

const allMembersParams = z.object({ query: grape.string().optional(), user_ids: grape.stringList().optional(), ...paginationParams });

/** Direct and inherited members; with no groups here, inherited memberships do not exist. */
const allMembers = handlers(authenticated({ required: false }), queryParams(allMembersParams), async (c) => {
  const { query: search, user_ids: userIds, ...paging } = c.req.valid('query');
  const page = pageRequest(paging);
  const access = await findProject(c, c.var.principal);
  const members = await listMembers(access.project.id);
  const users = await getUsers(members.map((member) => member.userId));
  const needle = search?.toLowerCase();
  const matching = members.filter((member) => {
    const user = users.get(member.userId);
    if (!user) return false;
    if (userIds && !userIds.map(Number).includes(user.id)) return false;
    return needle === undefined || user.username.toLowerCase().includes(needle) || user.name.toLowerCase().includes(needle);
  });
  setOffsetHeaders(c, page, { hasMore: matching.length > page.offset + page.perPage, total: matching.length });
  return c.json(matching.slice(page.offset, page.offset + page.perPage).map((member) => memberEntity(member, users.get(member.userId)!)));
});

export function mountProjectsListRoutes(api: GitLabApi): void {
  api.get('/projects', ...list);
  api.get('/projects/:id/members/all', ...allMembers);
}
