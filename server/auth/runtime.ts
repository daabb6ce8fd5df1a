import { oauthProviderAuthServerMetadata, oauthProviderOpenIdConfigMetadata } from '@better-auth/oauth-provider';
import type { Hono } from 'hono';
import { PostgresDialect, type Dialect } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import pg from 'pg';
import type { ServerConfig } from '../config.js';
import type { CacheChange } from '../caches.js';
import type { Caller, Services } from '../context.js';
import { ensureProvisioned } from '../provisioning/provision.js';
import { invalidate } from '../invalidation.js';
import { clientAddress } from '../util/rate-limit.js';
import { accessTokenVerifier } from './access-tokens.js';
import type { CredentialVerifiers } from './authenticate.js';
import { AUTH_BASE_PATH, CLI_CLIENT_ID, CLIENT_ADDRESS_HEADER, createBetterAuth, providerList, resourceIds, type Auth } from './better-auth.js';
import { checkCsrf } from './csrf.js';
import { hashToken } from './hash.js';
import { OWNER_SIGN_IN_PATH, OwnerLinks } from './owner-link.js';
import { ensureOwnerUser } from './owner-user.js';
import { resolveAuthSecret } from './secret.js';

export interface AuthRuntime {
  auth: Auth;
  /** The public origin, e.g. https://memory.example.com */
  origin: string;
  /** The OAuth issuer: `<origin>/api/v1/auth`. */
  issuer: string;
  resources: { api: string; mcp: string };
  providers: { id: string; name: string }[];
  /** The OAuth and cookie verifiers the edge's authenticate() uses (server/auth/authenticate.ts). */
  verifiers: CredentialVerifiers;
  /** Issues a one-time owner sign-in link (null when identity providers are configured). */
  ownerSignInLink(): Promise<string | null>;
  /** Drops the cached cookie sessions (the bench measures the uncached path with it). */
  forgetSessions(): void;
  /** Mounts better-auth and the AS metadata documents. */
  mount(app: Hono<any>): void;
  close(): Promise<void>;
}

/** What a better-auth endpoint changes that other servers may have cached. */
function changeOf(path: string): CacheChange | null {
  if (/\/(sign-out|revoke-sessions?|revoke-other-sessions|delete-user)$/.test(path)) return { kind: 'sessions' };
  if (/\/oauth2\/(consent|delete-consent|update-consent|delete-client|update-client)$/.test(path)) return { kind: 'connections' };
  return null;
}

const isLoopback = (addr: string | undefined) => !!addr && (addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.'));

/** Builds the authentication runtime for a server whose public origin is known. */
export async function startAuth(svc: Services, config: ServerConfig, origin: string): Promise<AuthRuntime> {
  const secret = resolveAuthSecret(config.auth.secret, config.dataDir);
  if (/^https?:\/\/(0\.0\.0\.0|\[::\])(:|$)/.test(origin)) {
    svc.log.warn('the server listens on all interfaces but ME_PUBLIC_URL is not set: sign-in and OAuth use ' +
      `${origin}, which browsers and clients cannot reach; set ME_PUBLIC_URL to the URL people use`);
  }
  // Embedded: share the one connection (a second would hang). Server: a small pg pool of its own.
  let pool: pg.Pool | null = null;
  let dialect: Dialect;
  if (svc.db.kind === 'embedded') {
    dialect = new PostgresJSDialect({ postgres: svc.sql as never });
  } else {
    pool = new pg.Pool({
      connectionString: svc.db.url, max: 4, options: '-c search_path=auth', application_name: 'memory-engine-auth',
      // An outage fails fast (UNAVAILABLE) like the app pool's (db/connect.ts): 3 s to get a connection,
      // the same statement bound; a broken connection is dropped by pg-pool (not queryable), not reused.
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 10_000,
      keepAlive: true,
      ...(config.statementTimeoutMs ? { statement_timeout: config.statementTimeoutMs } : {}),
    });
    pool.on('error', (err) => svc.log.warn('auth pool error', { error: String(err) }));
    dialect = new PostgresDialect({ pool });
  }
  const ownerLinks = new OwnerLinks(svc.sql);
  const resources = resourceIds(origin);
  const auth = createBetterAuth({
    origin, secret, dialect, transactions: svc.db.kind !== 'embedded', config: config.auth, ownerLinks, sql: svc.sql, log: svc.log,
  });
  const issuer = `${origin}${AUTH_BASE_PATH}`;
  const providers = providerList(config.auth);
  const ownerId = await ensureOwnerUser(svc.sql);
  // Wait for better-auth's init (it seeds the resources and creates a signing key), then link the
  // first-party CLI to our resources: they depend on the public origin, so no migration can.
  await auth.$context;
  await svc.sql`insert into auth.oauth_client_resource (client_id, resource_id, created_at)
    select ${CLI_CLIENT_ID}, identifier, now() from auth.oauth_resource where identifier = any(${[resources.api, resources.mcp]})
    on conflict (client_id, resource_id) do nothing`;

  const verifyAccessToken = accessTokenVerifier(svc.sql, issuer, async () => (await auth.api.getJwks()) as never);
  const withPrincipal = async (caller: Caller | null) => {
    if (caller) await ensureProvisioned(svc, { id: caller.principalId, name: caller.name, email: caller.email });
    return caller;
  };
  const allowedOrigins = new Set([origin]);
  const sessionCookie = /(?:^|;\s*)(?:__Secure-)?me\.session_token=([^;]+)/;
  // Verified sessions are cached for a few seconds (better-auth's getSession costs milliseconds of
  // CPU); signing out or revoking sessions empties the cache at once on every server.
  const sessions = svc.caches.sessions;

  const verifiers: CredentialVerifiers = {
    firstPartyClientId: CLI_CLIENT_ID,
    accessToken: async (token, audience) =>
      withPrincipal(await verifyAccessToken(token, { audience: audience.resource, allowUnbound: audience.unboundTokens })),
    async cookie(headers) {
      const value = sessionCookie.exec(headers.get('cookie') ?? '')?.[1];
      if (!value) return null;
      checkCsrf(headers, allowedOrigins);
      const key = hashToken(value);
      const hit = sessions.get(key);
      if (hit) return hit;
      const found = await auth.api.getSession({ headers: headers.toFetch() });
      if (!found) return null;
      const { user } = found;
      const caller = await withPrincipal({
        principalId: user.id, kind: 'user', name: user.name || 'user', email: user.email,
        credential: 'session', restriction: null, scopes: null,
      });
      if (caller) sessions.set(key, caller);
      return caller;
    },
  };

  const authServerMetadata = oauthProviderAuthServerMetadata(auth);
  const openIdMetadata = oauthProviderOpenIdConfigMetadata(auth);

  return {
    auth, origin, issuer, resources, providers, verifiers,
    forgetSessions: () => sessions.clear(),
    async ownerSignInLink() {
      if (providers.length > 0 || !ownerId) return null;
      return `${issuer}${OWNER_SIGN_IN_PATH}?token=${await ownerLinks.issue(ownerId)}`;
    },
    mount(app) {
      // RFC 8414 (path-inserted and root) and OpenID discovery for clients that look there.
      app.get(`/.well-known/oauth-authorization-server${AUTH_BASE_PATH}`, (c) => authServerMetadata(c.req.raw));
      app.get('/.well-known/oauth-authorization-server', (c) => authServerMetadata(c.req.raw));
      app.get(`/.well-known/openid-configuration${AUTH_BASE_PATH}`, (c) => openIdMetadata(c.req.raw));
      app.get(`${AUTH_BASE_PATH}/.well-known/openid-configuration`, (c) => openIdMetadata(c.req.raw));
      app.get(`${AUTH_BASE_PATH}/providers`, (c) => c.json({ providers, ownerLink: providers.length === 0 }));
      app.on(['GET', 'POST'], `${AUTH_BASE_PATH}/*`, (c) => {
        if (c.req.path === `${AUTH_BASE_PATH}${OWNER_SIGN_IN_PATH}`) {
          const peer = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
          // Behind a reverse proxy the peer is the proxy: a forwarded request is not from this machine.
          const forwarded = c.req.header('x-forwarded-for') ?? c.req.header('forwarded');
          if (!isLoopback(peer) || forwarded) return c.json({ error: 'the owner sign-in link works only from this machine (a loopback address)' }, 403);
        }
        // better-auth rate-limits by this address (ipAddressHeaders): ours, never a client's own header.
        c.req.raw.headers.set(CLIENT_ADDRESS_HEADER, clientAddress(c, config.trustProxy));
        const change = c.req.method === 'POST' ? changeOf(c.req.path) : null;
        if (change) {
          return auth.handler(c.req.raw).finally(() => invalidate(svc, change));
        }
        return auth.handler(c.req.raw);
      });
    },
    async close() {
      await pool?.end();
    },
  };
}
