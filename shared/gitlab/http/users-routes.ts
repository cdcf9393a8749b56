import * as z from '../../util/zod';
import { forbidden, GitLabError, notFound, validationError } from '../errors';
import { personalAccessTokenEntity } from '../entities/access-token';
import { userDetails, userEntity } from '../entities/user';
import { createPersonalAccessToken, createUser, findPersonalAccessToken, revokePersonalAccessToken, TOKEN_SCOPES } from '../services/users';
import { getUser, getUserByUsername, listAllUsers } from '../store/users';
import { filterUsers, orderUsers, USER_ORDERS } from '../state/user-finder';
import { userBasic } from '../entities/user';
import { pageRequest, paginationParams, setOffsetHeaders } from './pagination';
import { hasErrors } from '../validations/messages';
import { userErrors } from '../validations/user';
import * as grape from './grape';
import { adminOnly, authenticated, requireUser } from './request';
import { handlers, type GitLabApi } from './routing';
import { params, pathParams, queryParams } from './validators';

/** Users and personal access tokens (`lib/api/users.rb`, `personal_access_tokens.rb`). */

const currentUser = handlers(authenticated({ required: true }), (c) => c.json(userDetails(requireUser(c.var.principal))));

const createParams = z.object({
  email: grape.string(),
  name: grape.string(),
  username: grape.string(),
  admin: grape.boolean().default(false),
  password: grape.string().optional(),
});

const create = handlers(authenticated({ required: true }), adminOnly, params(createParams), async (c) => {
  const { email, name, username, admin } = c.var.params;
  // The model's validation, answered as GitLab's `{"message": {attribute: [...]}}`, not a param check.
  const errors = userErrors({ email, name, username });
  if (hasErrors(errors)) throw validationError(errors);
  return c.json(userDetails(await createUser({ email, name, username, admin })), 201);
});

const show = handlers(authenticated({ required: false }), pathParams({ id: grape.pathInteger() }), async (c) => {
  const user = await getUser(c.req.valid('param').id);
  if (!user) throw notFound('User');
  return c.json(userEntity(user));
});

/** A day (`2030-01-31`), midnight UTC; empty is none. */
const expiryDate = z.preprocess((value) => (value === '' ? undefined : value), z.iso.date().transform((day) => Date.parse(`${day}T00:00:00Z`)).optional());

const createTokenParams = z.object({
  name: grape.boundedString(255),
  scopes: grape.valueList(TOKEN_SCOPES),
  expires_at: expiryDate,
  description: grape.boundedString(255).optional(),
});

/** Midnight UTC of today: a token may expire today (it is then already expired), not before. */
const startOfToday = () => Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);

const createToken = handlers(authenticated({ required: true }), adminOnly, pathParams({ user_id: grape.pathInteger() }), params(createTokenParams), async (c) => {
  const { name, scopes, expires_at: expiresAt, description } = c.var.params;
  const user = await getUser(c.req.valid('param').user_id);
  if (!user) throw notFound('User');
  // GitLab's `future_date` check, in the sentence its token service answers with.
  if (expiresAt !== undefined && expiresAt < startOfToday()) throw new GitLabError(400, { message: 'Expiration date cannot be a date in the past' });
  const { record, secret } = await createPersonalAccessToken(user, { name, scopes, expiresAt, description });
  return c.json(personalAccessTokenEntity(record, secret), 201);
});

const revokeToken = handlers(authenticated({ required: true }), pathParams({ id: grape.pathInteger() }), async (c) => {
  const user = requireUser(c.var.principal);
  const record = await findPersonalAccessToken(c.req.valid('param').id);
  if (!record) throw notFound('Personal Access Token');
  if (Number(record.claims.userId) !== user.id && !user.admin) throw forbidden();
  await revokePersonalAccessToken(record);
  return c.body(null, 204);
});

export const listParams = z.object({
  username: grape.string().optional(),
  search: grape.string().optional(),
  active: grape.boolean().optional(),
  blocked: grape.boolean().optional(),
  admins: grape.boolean().optional(),
  humans: grape.boolean().optional(),
  exclude_internal: grape.boolean().optional(),
  without_project_bots: grape.boolean().optional(),
  order_by: grape.values(USER_ORDERS).default('id'),
  sort: grape.values(['asc', 'desc']).default('desc'),
  ...paginationParams,
});

/** `GET /users`: anyone may list; administrators see the admin entity and may search e-mail addresses. */
const list = handlers(authenticated({ required: false }), queryParams(listParams), async (c) => {
  const query = c.req.valid('query');
  const viewer = c.var.principal.kind === 'anonymous' ? undefined : c.var.principal.user;
  const admin = viewer?.admin === true;
  if (query.admins && !admin) throw forbidden();
  const page = pageRequest(query);
  // `username` is an exact, case-insensitive match: at most one user.
  const candidates = query.username !== undefined ? [await getUserByUsername(query.username)].filter((user) => user !== undefined) : await listAllUsers();
  const matching = orderUsers(filterUsers(candidates, { search: query.search, active: query.active, blocked: query.blocked, admins: query.admins, searchEmail: admin }), query.order_by, query.sort);
  setOffsetHeaders(c, page, { hasMore: matching.length > page.offset + page.perPage, total: matching.length });
  return c.json(matching.slice(page.offset, page.offset + page.perPage).map((user) => (admin ? userDetails(user) : userBasic(user))));
});

export function mountUsersRoutes(api: GitLabApi): void {
  api.get('/user', ...currentUser);
  api.get('/users', ...list);
  api.post('/users', ...create);
  api.get('/users/:id', ...show);
  api.post('/users/:user_id/personal_access_tokens', ...createToken);
  api.delete('/personal_access_tokens/:id', ...revokeToken);
}
