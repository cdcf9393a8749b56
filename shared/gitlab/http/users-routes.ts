import * as z from '../../util/zod';
import { forbidden, GitLabError, notFound, validationError } from '../errors';
import { personalAccessTokenEntity } from '../entities/access-token';
import { userDetails, userEntity } from '../entities/user';
import { createPersonalAccessToken, createUser, findPersonalAccessToken, revokePersonalAccessToken, TOKEN_SCOPES } from '../services/users';
import { getUser } from '../store/users';
import { hasErrors } from '../validations/messages';
import { userErrors } from '../validations/user';
import * as grape from './grape';
import { adminOnly, authenticated, requireUser } from './request';
import { handlers, route } from './routing';
import { params, pathParams } from './validators';

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

route('GET', '/user', currentUser);
route('POST', '/users', create);
route('GET', '/users/:id', show);
route('POST', '/users/:user_id/personal_access_tokens', createToken);
route('DELETE', '/personal_access_tokens/:id', revokeToken);
