import { AppError } from '../../contracts/errors.js';
import type { Caller, Services } from '../context.js';
import { connection } from '../users/connectors.js';
import { looksLikeApiKey, verifyApiKey } from './api-keys.js';

/** What a route accepts as a credential. */
export interface Audience {
  /** The resource (RFC 8707) an OAuth token must be issued for, e.g. `<origin>/api/v1` or `<origin>/mcp`. */
  resource: string;
  /** Cookie sessions (our own pages). Never on /mcp: a page must not ride on a signed-in user's session. */
  cookies: boolean;
  /** Opaque tokens issued without a resource (the first-party CLI asks for none). */
  unboundTokens: boolean;
}

/** The OAuth and cookie verifiers the auth runtime plugs in (server/auth/runtime.ts). */
export interface CredentialVerifiers {
  /** An OAuth access token (JWT or opaque) for exactly this audience, provisioned; null when invalid. */
  accessToken(token: string, audience: Audience): Promise<Caller | null>;
  /** The cookie session, or null without one; throws FORBIDDEN for a cross-origin request (CSRF). */
  cookie(headers: RequestHeaders): Promise<Caller | null>;
  /** The first-party client (the `me` CLI): approved by definition. */
  firstPartyClientId: string;
}

/**
 * The request headers authentication reads: a view over Fetch Headers (Hono routes) or over Node's
 * own (the JSON-RPC routes skip building a Fetch Request); better-auth's session check, the cookie
 * path only, gets them as Fetch Headers.
 */
export interface RequestHeaders {
  get(name: string): string | null;
  toFetch(): Headers;
}
export const fetchHeaders = (h: Headers): RequestHeaders => ({ get: (name) => h.get(name), toFetch: () => h });

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * The one credential dispatcher, for every route: a bearer is an API key (me.<id>.<secret>) or an
 * OAuth access token for the route's audience; without a bearer, a cookie session where the route
 * takes one. A bearer that fails is a 401: it never falls back to the cookie. A connection's pinned
 * space (X-Me-Space, or the space chosen at consent) becomes the caller's default space, and a
 * connection bound at consent becomes a restricted caller.
 */
export async function authenticate(svc: Pick<Services, 'sql' | 'caches'>, verifiers: CredentialVerifiers, headers: RequestHeaders, audience: Audience): Promise<Caller> {
  let caller = await credential(svc, verifiers, headers, audience);
  if (caller.clientId && caller.clientId !== verifiers.firstPartyClientId) {
    // A disconnected application is refused within seconds, even with an unexpired JWT.
    const conn = await connection(svc, caller.principalId, caller.clientId);
    if (!conn.approved) throw new AppError('UNAUTHORIZED', 'this application was disconnected; connect it again to use Memory Engine', { reason: 'APP_DISCONNECTED' });
    if (conn.space) caller = { ...caller, defaultSpace: conn.space };
    // A connection bound at consent carries its boundary as a restriction, enforced like a restricted key's.
    if (conn.boundary) caller = { ...caller, restriction: [conn.boundary] };
  }
  const headerSpace = headers.get('x-me-space');
  return headerSpace ? { ...caller, defaultSpace: headerSpace } : caller;
}

async function credential(svc: Pick<Services, 'sql' | 'caches'>, verifiers: CredentialVerifiers, headers: RequestHeaders, audience: Audience): Promise<Caller> {
  const header = headers.get('authorization');
  if (header !== null) {
    const token = BEARER.exec(header)?.[1];
    if (!token) throw new AppError('UNAUTHORIZED', 'the Authorization header must be "Bearer <token>"', { reason: 'TOKEN_INVALID' });
    const caller = looksLikeApiKey(token) ? await verifyApiKey(svc, token) : await verifiers.accessToken(token, audience);
    if (!caller) {
      throw new AppError('UNAUTHORIZED', `the bearer token is invalid, expired, revoked or not issued for ${audience.resource}`, { reason: 'TOKEN_INVALID' });
    }
    return caller;
  }
  if (audience.cookies) {
    const caller = await verifiers.cookie(headers);
    if (caller) return caller;
  }
  throw new AppError('UNAUTHORIZED', 'sign in first: send "Authorization: Bearer <API key or access token>"', { reason: 'LOGIN_REQUIRED' });
}
