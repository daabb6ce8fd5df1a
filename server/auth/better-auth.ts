import { oauthDeviceAuthorization, oauthProvider } from '@better-auth/oauth-provider';
import { betterAuth, type BetterAuthOptions } from 'better-auth';
import { APIError, isAPIError } from 'better-auth/api';
import { genericOAuth, jwt } from 'better-auth/plugins';
import type { Dialect } from 'kysely';
import { SCOPES } from '../../contracts/define.js';
import type { AuthConfig } from '../config.js';
import { classifyError } from '../util/pg-errors.js';
import { hashToken } from './hash.js';
import { ownerSignIn, type OwnerLinks } from './owner-link.js';
import { mapped } from './tables.js';
import type { Sql } from '../../db/connect.js';
import { hitRateLimit } from '../util/rate-limit.js';

export const AUTH_BASE_PATH = '/api/v1/auth';
/** The first-party CLI: a seeded, trusted public client (db/migrations/incremental/0003_auth.sql). */
export const CLI_CLIENT_ID = 'me-cli';
/** The client's address as the edge resolved it (ME_TRUST_PROXY), set on every request to better-auth. */
export const CLIENT_ADDRESS_HEADER = 'x-me-client-address';
export const OAUTH_SCOPES = ['openid', 'profile', 'email', 'offline_access', ...SCOPES];


/** The resource identifiers (RFC 8707 audiences) access tokens may be issued for. */
export function resourceIds(origin: string) {
  return { api: `${origin}/api/v1`, mcp: `${origin}/mcp` };
}

export interface BetterAuthSetup {
  origin: string;
  secret: string;
  dialect: Dialect;
  /** false on the embedded database: a transaction would hold its only connection. */
  transactions: boolean;
  config: AuthConfig;
  ownerLinks: OwnerLinks;
  /** Rate limits are counted here (core.rate_limit), so every server shares them. */
  sql: Sql;
  log: { warn(msg: string, f?: Record<string, unknown>): void; error(msg: string, f?: Record<string, unknown>): void };
}

/** The configured identity providers, as `{ id, name }` for the sign-in page. */
export function providerList(config: AuthConfig) {
  const list: { id: string; name: string }[] = [];
  if (config.github) list.push({ id: 'github', name: 'GitHub' });
  if (config.google) list.push({ id: 'google', name: 'Google' });
  if (config.oidc) list.push({ id: 'oidc', name: config.oidc.name });
  return list;
}

export function createBetterAuth(s: BetterAuthSetup) {
  const { config, origin } = s;
  const socialProviders: BetterAuthOptions['socialProviders'] = {};
  if (config.github) socialProviders.github = { ...config.github, scope: ['read:user', 'user:email'] };
  if (config.google) socialProviders.google = { ...config.google, prompt: 'select_account' };
  const resources = resourceIds(origin);

  const options = {
    appName: 'Memory Engine',
    baseURL: origin,
    basePath: AUTH_BASE_PATH,
    secret: s.secret,
    database: { dialect: s.dialect, type: 'postgres', schemaName: 'auth', transaction: s.transactions },
    trustedOrigins: [origin],
    user: mapped('user'),
    session: { ...mapped('session'), expiresIn: 7 * 86_400, updateAge: 86_400 },
    // Linking a new provider account to an existing user by email happens only when the provider
    // says the email is verified. No provider is "trusted" to skip that: an IdP that lets people
    // claim any address would otherwise take over the account that owns it.
    account: { ...mapped('account'), accountLinking: { enabled: true, trustedProviders: [] } },
    verification: mapped('verification'),
    socialProviders,
    onAPIError: {
      errorURL: `${origin}/login`,
      // A database outage is not better-auth's 500: rethrown, the app answers 503 + Retry-After
      // (server/http/app.ts). Anything else is logged as better-auth would, and answered by it.
      onError(e: unknown) {
        if (classifyError(e)?.code === 'UNAVAILABLE') throw e;
        if (isAPIError(e) && e.status !== 'INTERNAL_SERVER_ERROR') return;
        s.log.error(`auth: ${(e as Error)?.message ?? String(e)}`, { detail: String((e as Error)?.stack ?? e) });
      },
    },
    // better-auth's own limits (sign-in 3 per 10 s, token 20 a minute, device code lookups…) per
    // client address, counted in Postgres rather than this process's memory: one budget for all
    // servers and workers. On in production (NODE_ENV=production) unless ME_AUTH_RATE_LIMIT says.
    rateLimit: {
      enabled: config.rateLimit,
      customStorage: {
        consume: async (key: string, rule: { window: number; max: number }) => {
          const hit = await hitRateLimit(s.sql, `auth:${key}`, rule.max, rule.window);
          return hit.ok ? { allowed: true, retryAfter: null } : { allowed: false, retryAfter: hit.retryAfterS };
        },
      },
    },
    advanced: {
      // The database assigns ids (uuidv7), so auth.users.id can equal the core principal id.
      database: { generateId: false },
      cookiePrefix: 'me',
      useSecureCookies: origin.startsWith('https:'),
      defaultCookieAttributes: { sameSite: 'lax', httpOnly: true },
      ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] },
    },
    logger: {
      level: 'warn',
      log: (level: string, message: string, ...args: unknown[]) => {
        if (level === 'error') s.log.error(`auth: ${message}`, { detail: args.map(String).join(' ') });
        else if (level === 'warn') s.log.warn(`auth: ${message}`);
      },
    },
    databaseHooks: {
      session: {
        create: {
          // The verified-email gate: no session for an address the identity provider has not verified.
          async before(session: { userId: string }, ctx: { context: { internalAdapter: { findUserById(id: string): Promise<{ emailVerified: boolean } | null> } } } | null) {
            const user = await ctx?.context.internalAdapter.findUserById(session.userId);
            if (!user?.emailVerified) {
              throw new APIError('FORBIDDEN', {
                code: 'EMAIL_NOT_VERIFIED',
                message: 'Your identity provider has not verified this email address. Verify it there, then sign in again.',
              });
            }
          },
        },
      },
    },
    plugins: [
      jwt({
        disableSettingJwtHeader: true,
        jwks: { keyPairConfig: { alg: 'EdDSA', crv: 'Ed25519' } },
        jwt: { issuer: `${origin}${AUTH_BASE_PATH}` },
        schema: { jwks: mapped('jwks') },
      }),
      oauthProvider({
        loginPage: '/login',
        consentPage: '/consent',
        scopes: OAUTH_SCOPES,
        resources: [
          { identifier: resources.api, name: 'Memory Engine API' },
          { identifier: resources.mcp, name: 'Memory Engine MCP' },
        ],
        cachedTrustedClients: new Set([CLI_CLIENT_ID]),
        // RFC 8707: a client may only get tokens for resources it is linked to. The CLI is linked
        // to both at boot (runtime.ts); dynamically registered clients (MCP) get /mcp only.
        enforcePerClientResources: true,
        clientRegistrationDefaultResources: [resources.mcp],
        clientRegistrationAllowedResources: [resources.mcp],
        accessTokenExpiresIn: config.accessTokenTtl,
        refreshTokenExpiresIn: config.refreshTokenTtl,
        storeTokens: { hash: async (token: string) => hashToken(token) },
        allowDynamicClientRegistration: true,
        allowUnauthenticatedClientRegistration: true,
        clientRegistrationDefaultScopes: ['offline_access', 'memory:read', 'memory:write'],
        clientRegistrationAllowedScopes: OAUTH_SCOPES,
        customAccessTokenClaims: ({ user }) => (user ? { name: user.name, email: user.email } : {}),
        silenceWarnings: { oauthAuthServerConfig: true, openidConfig: true },
        schema: {
          oauthClient: mapped('oauthClient'),
          oauthResource: mapped('oauthResource'),
          oauthClientResource: mapped('oauthClientResource'),
          oauthRefreshToken: mapped('oauthRefreshToken'),
          oauthAccessToken: mapped('oauthAccessToken'),
          oauthConsent: mapped('oauthConsent'),
          oauthClientAssertion: mapped('oauthClientAssertion'),
        },
      }),
      // RFC 8628 device authorization grant for `me login --device`: codes are created and approved
      // here (the /device page), tokens come from the OAuth provider's token endpoint like any other.
      oauthDeviceAuthorization({ verificationUri: `${origin}/device`, schema: { deviceCode: mapped('deviceCode') } }),
      ...(config.oidc
        ? [genericOAuth({
            config: [{
              providerId: 'oidc',
              name: config.oidc.name,
              discoveryUrl: `${config.oidc.issuer}/.well-known/openid-configuration`,
              clientId: config.oidc.clientId,
              clientSecret: config.oidc.clientSecret,
              scopes: ['openid', 'profile', 'email'],
              pkce: true,
            }],
          })]
        : []),
      ownerSignIn(s.ownerLinks),
    ],
  } satisfies BetterAuthOptions;
  return betterAuth(options as BetterAuthOptions & typeof options);
}

export type Auth = ReturnType<typeof createBetterAuth>;
