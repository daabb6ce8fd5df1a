import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import type { Sql } from '../../db/connect.js';
import type { Caller } from '../context.js';
import { TtlCache } from '../util/ttl-cache.js';
import { hashToken } from './hash.js';

export interface AccessTokenOptions {
  /** The resource the request is for (RFC 8707): a JWT's `aud` must be exactly it. */
  audience: string;
  /**
   * Accept an opaque token issued without a resource (the first-party CLI asks for none). The MCP
   * endpoint, which requires audience-bound tokens, passes false.
   */
  allowUnbound: boolean;
}

export type VerifyAccessToken = (token: string, opts: AccessTokenOptions) => Promise<Caller | null>;

/**
 * better-auth writes string[] fields as JSON text; through postgres.js (the embedded database) that
 * text lands in jsonb as a JSON *string*, through pg as an array. Read both as an array.
 */
const jsonArray = (sql: Sql, column: string) => sql.unsafe(
  `case jsonb_typeof(${column}) when 'string' then (${column} #>> '{}')::jsonb else ${column} end`);

const looksLikeJwt = (t: string) => /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(t);

/** RFC 9068: a JWT access token says so in its header and carries these claims. */
const JWT_RULES = { typ: 'at+jwt', requiredClaims: ['iss', 'aud', 'exp', 'iat', 'sub', 'client_id'], algorithms: ['EdDSA', 'ES256', 'RS256', 'PS256'] };

/**
 * The audience must be exactly the resource. With the openid scope the authorization server adds
 * its own userinfo endpoint as a second audience, which is harmless; any other second audience
 * means the token is also good elsewhere, and is refused.
 */
function exactAudience(aud: JWTPayload['aud'], resource: string, userinfo: string) {
  const others = [aud].flat().filter((a) => a !== userinfo);
  return others.length === 1 && others[0] === resource;
}

/**
 * Resource-server validation of OAuth access tokens issued by our authorization server.
 * JWTs are verified locally against the signing keys (cached; refetched at most every 10 s when
 * a token names an unknown key id): no database round trip. Opaque tokens cost one indexed lookup
 * by their sha256 (revoked or expired → rejected).
 */
export function accessTokenVerifier(sql: Sql, issuer: string, loadJwks: () => Promise<JSONWebKeySet>): VerifyAccessToken {
  let keys: ReturnType<typeof createLocalJWKSet> | null = null;
  let loadedAt = 0;
  const refresh = async () => {
    keys = createLocalJWKSet(await loadJwks());
    loadedAt = Date.now();
  };
  const userinfo = `${issuer}/oauth2/userinfo`;

  async function verifyJwt(token: string, audience: string): Promise<JWTPayload | null> {
    if (!keys) await refresh();
    try {
      const { payload } = await jwtVerify(token, keys!, { ...JWT_RULES, issuer, audience });
      return exactAudience(payload.aud, audience, userinfo) && typeof payload.client_id === 'string' ? payload : null;
    } catch (err) {
      // A key rotated in since the cache was filled: reload once, rate-limited.
      if (err instanceof joseErrors.JWKSNoMatchingKey && Date.now() - loadedAt > 10_000) {
        await refresh();
        return verifyJwt(token, audience);
      }
      return null;
    }
  }

  // A JWT cannot be revoked before it expires, so remembering a verified one (never past its exp)
  // loses nothing and saves the signature check (~0.1 ms) on the next request.
  const verifiedJwts = new TtlCache<Caller>(60_000);

  return async (token, { audience, allowUnbound }) => {
    if (looksLikeJwt(token)) {
      const key = `${audience}\u0000${hashToken(token)}`;
      const hit = verifiedJwts.get(key);
      if (hit) return hit;
      const claims = await verifyJwt(token, audience);
      if (!claims) return null;
      const caller: Caller = {
        principalId: claims.sub!,
        kind: 'user',
        name: typeof claims.name === 'string' && claims.name ? claims.name : 'user',
        email: typeof claims.email === 'string' ? claims.email : null,
        credential: 'oauth',
        clientId: claims.client_id as string,
        restriction: null,
        scopes: typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [],
      };
      verifiedJwts.set(key, caller, claims.exp! * 1000);
      return caller;
    }
    if (token.length > 512) return null;
    const [row] = await sql<{ user_id: string; client_id: string; scopes: string[]; resources: string[] | null; name: string; email: string }[]>`
      select t.user_id, t.client_id, ${jsonArray(sql, 't.scopes')} as scopes, ${jsonArray(sql, 't.resources')} as resources, u.name, u.email
      from auth.oauth_access_token t join auth.users u on u.id = t.user_id
      where t.token = ${hashToken(token)} and t.expires_at > now() and t.revoked is null`;
    if (!row) return null;
    const bound = row.resources && row.resources.length > 0;
    if (bound ? !row.resources!.includes(audience) : !allowUnbound) return null;
    return {
      principalId: row.user_id, kind: 'user', name: row.name, email: row.email, credential: 'oauth', clientId: row.client_id,
      restriction: null, scopes: row.scopes,
    };
  };
}
