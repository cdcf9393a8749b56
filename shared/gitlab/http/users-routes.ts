import type { Context } from 'hono';
import { forbidden, GitLabError, notFound } from '../errors';
import { personalAccessTokenEntity } from '../entities/access-token';
import { userDetails, userEntity } from '../entities/user';
import { createPersonalAccessToken, createUser, findPersonalAccessToken, revokePersonalAccessToken, TOKEN_SCOPES } from '../services/users';
import { getUser } from '../store/users';
import { allParams, GrapeParams, pathInteger } from './params';
import { authenticate, requireAdmin, requireUser } from './request';
import { route } from './routing';

/** Users and personal access tokens (`lib/api/users.rb`, `personal_access_tokens.rb`). */

async function currentUser(c: Context) {
  const user = requireUser(await authenticate(c, { required: true }));
  return c.json(userDetails(user));
}

async function create(c: Context) {
  requireAdmin(await authenticate(c, { required: true }));
  const params = new GrapeParams(await allParams(c));
  const email = params.string('email', { required: true });
  const name = params.string('name', { required: true });
  const username = params.string('username', { required: true });
  const admin = params.boolean('admin') ?? false;
  params.string('password');
  params.check();
  if (!/^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/.test(username)) throw new GitLabError(400, { message: { username: ['can contain only letters, digits, \'_\', \'-\' and \'.\''] } });
  return c.json(userDetails(await createUser({ email, name, username, admin })), 201);
}

async function show(c: Context) {
  await authenticate(c, { required: false });
  const user = await getUser(pathInteger(c, 'id'));
  if (!user) throw notFound('User');
  return c.json(userEntity(user));
}

function expiryParam(params: GrapeParams): number | undefined {
  const value = params.string('expires_at');
  if (value === undefined || value === '') return undefined;
  const time = Date.parse(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(time)) {
    params.errors.push('expires_at is invalid');
    return undefined;
  }
  return time;
}

async function createToken(c: Context) {
  requireAdmin(await authenticate(c, { required: true }));
  const userId = pathInteger(c, 'user_id');
  const params = new GrapeParams(await allParams(c));
  const name = params.string('name', { required: true });
  const scopes = params.stringArray('scopes');
  if (scopes === undefined && params.raw.scopes === undefined) params.errors.push('scopes is missing');
  if (scopes && !scopes.every((scope) => TOKEN_SCOPES.includes(scope))) params.errors.push('scopes does not have a valid value');
  const expiresAt = expiryParam(params);
  const description = params.string('description');
  params.check();
  const user = await getUser(userId);
  if (!user) throw notFound('User');
  const { record, secret } = await createPersonalAccessToken(user, { name, scopes: scopes!, expiresAt, description });
  return c.json(personalAccessTokenEntity(record, secret), 201);
}

async function revokeToken(c: Context) {
  const user = requireUser(await authenticate(c, { required: true }));
  const record = await findPersonalAccessToken(pathInteger(c, 'id'));
  if (!record) throw notFound('Personal Access Token');
  if (Number(record.claims.userId) !== user.id && !user.admin) throw forbidden();
  await revokePersonalAccessToken(record);
  return c.body(null, 204);
}

route('GET', '/user', currentUser);
route('POST', '/users', create);
route('GET', '/users/:id', show);
route('POST', '/users/:user_id/personal_access_tokens', createToken);
route('DELETE', '/personal_access_tokens/:id', revokeToken);
