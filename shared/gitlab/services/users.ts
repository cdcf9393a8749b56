import { findTokenByAccessor, newSecret, putToken, revokeToken, type TokenRecord } from '../../auth/store/token-store';
import { GitLabError } from '../errors';
import type { UserRecord } from '../records';
import { nextId } from '../store/counters';
import { createUser as storeUser, UsernameTaken } from '../store/users';

/** Users (created by an administrator) and their personal access tokens (`glpat-`). */
export const TOKEN_SCOPES = ['api', 'read_api', 'read_user', 'create_runner', 'manage_runner', 'k8s_proxy', 'read_repository', 'write_repository', 'read_registry', 'write_registry', 'ai_features', 'sudo', 'admin_mode'];

export async function createUser(fields: { username: string; name: string; email: string; admin: boolean }): Promise<UserRecord> {
  try {
    return await storeUser(fields);
  } catch (error) {
    if (error instanceof UsernameTaken) throw new GitLabError(409, { message: 'Username has already been taken' });
    throw error;
  }
}

export async function createPersonalAccessToken(
  user: UserRecord,
  fields: { name: string; scopes: string[]; expiresAt?: number; description?: string },
): Promise<{ record: TokenRecord; secret: string }> {
  const id = await nextId('token');
  const secret = newSecret('glpat-');
  const record = await putToken(secret, {
    kind: 'gitlab-personal',
    name: fields.name,
    accessorId: `pat-${id}`,
    expiresAt: fields.expiresAt,
    claims: { userId: user.id, scopes: fields.scopes, tokenId: id, description: fields.description ?? null },
  });
  return { record, secret };
}

export async function findPersonalAccessToken(id: number): Promise<TokenRecord | undefined> {
  const record = await findTokenByAccessor(`pat-${id}`);
  return record?.kind === 'gitlab-personal' ? record : undefined;
}

export async function revokePersonalAccessToken(record: TokenRecord): Promise<void> {
  await revokeToken(record.secretHash);
}
