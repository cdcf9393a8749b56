import { findTokenByAccessor, newSecret, putToken, updateTokenClaims } from '../../auth/store/token-store';
import { nextIndex } from '../../storage/index-clock';
import { parseGoDuration } from '../../util/go-duration';
import { badRequest, notFound } from '../errors';
import type { NomadToken } from '../wire/acl-token';
import type { NomadTokenClaims } from './resolve';

/**
 * Creating and updating Nomad ACL tokens (ACL.UpsertTokens) in the shared token store, with
 * Nomad's validation texts.
 */
export interface TokenRequest {
  AccessorID?: string;
  Name?: string;
  Type?: string;
  Policies?: string[] | null;
  Global?: boolean;
  ExpirationTTL?: number | string;
  ExpirationTime?: string | null;
}

const MIN_TTL_MS = 60_000;

function ttlMs(value: number | string | undefined): number {
  if (value === undefined || value === 0 || value === '') return 0;
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw badRequest(`json: cannot unmarshal number ${value} into Go struct field ACLToken.ExpirationTTL of type time.Duration`);
  }
  const ms = typeof value === 'number' ? value / 1e6 : parseGoDuration(value);
  if (ms === undefined) throw badRequest(`time: invalid duration "${value}"`);
  return ms;
}

/** A token is one DynamoDB item with its policy names; Nomad has no bound on how many. */
const MAX_TOKEN_POLICIES_BYTES = 64 * 1024;

function validate(request: TokenRequest): void {
  if ((request.Name ?? '').length > 256) throw badRequest('token name too long');
  const policies = request.Policies ?? [];
  if (Buffer.byteLength(JSON.stringify(policies)) > MAX_TOKEN_POLICIES_BYTES) throw badRequest('token policies are too many');
  if (request.Type === 'client') {
    if (policies.length === 0) throw badRequest('client token missing policies or roles');
  } else if (request.Type === 'management') {
    if (policies.length > 0) throw badRequest('management token cannot be associated with policies or roles');
  } else {
    throw badRequest('token type must be client or management');
  }
}

export async function createToken(request: TokenRequest, now = Date.now()): Promise<{ token: NomadToken; secret: string }> {
  validate(request);
  const ttl = ttlMs(request.ExpirationTTL);
  let expiresAt = request.ExpirationTime ? Date.parse(request.ExpirationTime) : ttl > 0 ? now + ttl : undefined;
  if (expiresAt !== undefined && Number.isNaN(expiresAt)) throw badRequest(`invalid ExpirationTime "${request.ExpirationTime}"`);
  // Beyond what a date can hold (a TTL of centuries of nanoseconds is still a safe integer).
  if (expiresAt !== undefined && Number.isNaN(new Date(expiresAt).getTime())) throw badRequest('expiration time is too far in the future');
  if (expiresAt !== undefined && expiresAt - now < MIN_TTL_MS) {
    throw badRequest('expiration time cannot be less than 1m0s in the future');
  }
  const index = nextIndex();
  const claims: NomadTokenClaims = {
    Type: request.Type as NomadTokenClaims['Type'],
    Policies: request.Policies ?? [],
    Global: request.Global ?? false,
    ExpirationTTL: ttl * 1e6,
    CreateIndex: index,
    ModifyIndex: index,
  };
  const secret = newSecret();
  const record = await putToken(secret, { kind: 'nomad', name: request.Name ?? '', expiresAt, claims: { ...claims } });
  return { token: record as NomadToken, secret };
}

export async function updateToken(accessorId: string, request: TokenRequest): Promise<NomadToken> {
  const existing = (await findTokenByAccessor(accessorId)) as NomadToken | undefined;
  if (!existing || existing.kind !== 'nomad') throw notFound('ACL token not found');
  const type = request.Type || existing.claims.Type;
  if (type !== existing.claims.Type) throw badRequest('cannot change token type');
  const next: TokenRequest = { ...request, Type: type, Policies: request.Policies ?? existing.claims.Policies };
  validate(next);
  const claims: NomadTokenClaims = { ...existing.claims, Policies: next.Policies ?? [], ModifyIndex: nextIndex() };
  const name = request.Name ?? existing.name;
  await updateTokenClaims(existing.secretHash, name, { ...claims });
  return { ...existing, name, claims: claims as NomadToken['claims'] };
}
