import type { Context, Hono } from 'hono';
import { config } from '../../config';
import { publicJwk } from '../services/id-tokens';

/**
 * The OIDC discovery documents that verify CI ID tokens (GitLab serves them outside `/api/v4`):
 * the issuer's configuration and its signing keys.
 */
function openidConfiguration(c: Context) {
  const issuer = config().externalUrl;
  return c.json({
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    userinfo_endpoint: `${issuer}/oauth/userinfo`,
    jwks_uri: `${issuer}/oauth/discovery/keys`,
    scopes_supported: ['openid'],
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    grant_types_supported: ['authorization_code', 'password', 'client_credentials', 'device_code', 'refresh_token'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    claim_types_supported: ['normal'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'sub_legacy', 'name', 'nickname', 'preferred_username', 'email', 'email_verified', 'website', 'profile', 'picture', 'groups', 'groups_direct', 'https://gitlab.org/claims/groups/owner', 'https://gitlab.org/claims/groups/maintainer', 'https://gitlab.org/claims/groups/developer'],
  });
}

const signingKeys = async (c: Context) => c.json({ keys: [await publicJwk()] });

export function mountOidcRoutes(app: Hono): void {
  app.get('/.well-known/openid-configuration', openidConfiguration);
  app.get('/oauth/discovery/keys', signingKeys);
  app.get('/-/jwks', signingKeys);
}
