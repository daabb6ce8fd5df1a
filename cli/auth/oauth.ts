import * as oidc from 'openid-client';
import { MeError } from '../client/errors.js';
import type { TokenSet } from './token-set.js';

// The first-party CLI is a public OAuth client of the server's own authorization server
// (issuer <server>/api/v1/auth): authorization code + PKCE S256 + state, loopback redirect (RFC 8252).
export const CLIENT_ID = 'me-cli';
// space:admin lets the CLI administer (spaces, grants, keys, invitations) as its user.
export const SCOPES = 'offline_access memory:read memory:write space:admin';
export const issuerOf = (server: string) => `${server}/api/v1/auth`;

const insecureOk = (url: string) => url.startsWith('http://');

/** Discovers the authorization server (OIDC discovery at <issuer>/.well-known/openid-configuration). */
export async function discover(server: string): Promise<oidc.Configuration> {
  const issuer = issuerOf(server);
  try {
    return await oidc.discovery(new URL(issuer), CLIENT_ID, { token_endpoint_auth_method: 'none' }, oidc.None(), {
      execute: insecureOk(issuer) ? [oidc.allowInsecureRequests] : [],
    });
  } catch (err) {
    throw new MeError('NETWORK', `cannot discover the sign-in service at ${issuer}: ${describe(err)}`);
  }
}

/** A configuration rebuilt from a stored token set: refresh and revoke need no discovery request. */
export function configFromTokenSet(set: TokenSet): oidc.Configuration {
  const meta: oidc.ServerMetadata = {
    issuer: set.issuer,
    token_endpoint: set.tokenEndpoint,
    ...(set.revocationEndpoint ? { revocation_endpoint: set.revocationEndpoint } : {}),
  };
  const config = new oidc.Configuration(meta, set.clientId, { token_endpoint_auth_method: 'none' }, oidc.None());
  if (insecureOk(set.tokenEndpoint)) oidc.allowInsecureRequests(config);
  return config;
}

export function tokenSetFrom(server: string, config: oidc.Configuration, res: oidc.TokenEndpointResponse, previous?: TokenSet): TokenSet {
  const meta = config.serverMetadata();
  return {
    server,
    issuer: meta.issuer,
    clientId: CLIENT_ID,
    tokenEndpoint: meta.token_endpoint!,
    revocationEndpoint: meta.revocation_endpoint,
    accessToken: res.access_token,
    // A server that does not rotate keeps the old refresh token valid.
    refreshToken: res.refresh_token ?? previous?.refreshToken,
    expiresAt: typeof res.expires_in === 'number' ? Date.now() + res.expires_in * 1000 : undefined,
    scope: res.scope ?? previous?.scope,
    savedAt: Date.now(),
  };
}

/** Exchanges a refresh token; the server rotates it (the old one is dead afterwards). */
export async function refresh(set: TokenSet): Promise<TokenSet> {
  if (!set.refreshToken) throw new MeError('UNAUTHORIZED', `your session with ${set.server} expired and cannot be refreshed`);
  const config = configFromTokenSet(set);
  try {
    const res = await oidc.refreshTokenGrant(config, set.refreshToken);
    return tokenSetFrom(set.server, config, res, set);
  } catch (err) {
    const code = (err as { error?: string }).error;
    if (code === 'invalid_grant' || code === 'invalid_client' || code === 'unauthorized_client') {
      throw new MeError('UNAUTHORIZED', `your session with ${set.server} has ended (${code}); sign in again with \`me login\``);
    }
    throw new MeError('NETWORK', `refreshing the access token at ${set.tokenEndpoint} failed: ${describe(err)}`);
  }
}

/** Revokes the refresh token (and with it the grant) at the server. Returns false if the server has no revocation endpoint. */
export async function revoke(set: TokenSet): Promise<boolean> {
  const config = configFromTokenSet(set);
  if (!set.revocationEndpoint) return false;
  const token = set.refreshToken ?? set.accessToken;
  await oidc.tokenRevocation(config, token, { token_type_hint: set.refreshToken ? 'refresh_token' : 'access_token' });
  return true;
}

export function describe(err: unknown): string {
  const e = err as { error?: string; error_description?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.error) return e.error_description ? `${e.error}: ${e.error_description}` : e.error;
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
