import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/** A configuration problem: one line that names the variable and says what it must be. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A whole number in [min, max]; every way of missing says the same thing: what the value must be. */
const whole = (d: number, min = 0, max = Number.MAX_SAFE_INTEGER, what = 'a whole number') => {
  const rule = `must be ${what} ${max < Number.MAX_SAFE_INTEGER ? `from ${min} to ${max}` : `of at least ${min}`}`;
  return z.coerce.number({ error: rule }).int(rule).min(min, rule).max(max, rule).default(d);
};
const url = (example: string) => z.string().url(`must be a URL such as ${example}`);
const secret = z.string().min(32, 'must be at least 32 characters');
/** Variables whose value is never repeated in a message. */
const SECRETS = new Set(['ME_AUTH_SECRET', 'BETTER_AUTH_SECRET', 'ME_EMBEDDING_API_KEY', 'ME_GITHUB_CLIENT_SECRET', 'ME_GOOGLE_CLIENT_SECRET', 'ME_OIDC_CLIENT_SECRET', 'DATABASE_URL']);

/** Every environment variable the server reads (README lists them all). */
const envSchema = z.object({
  DATABASE_URL: url('postgres://user@host:5432/db').optional(),
  ME_DATA_DIR: z.string().optional(),
  ME_HOST: z.string().default('127.0.0.1'),
  ME_PORT: whole(3210, 0, 65535, 'a port number'),
  ME_PUBLIC_URL: url('https://memory.example.com').optional(),
  ME_TRUST_PROXY: z.string().optional(),
  // 8 MiB admits the largest memory (1 MB of content, every byte JSON-escaped as \u00XX: 6 MB) with its meta.
  ME_BODY_LIMIT: whole(8 * 1024 * 1024, 1024, Number.MAX_SAFE_INTEGER, 'a size in bytes'),
  ME_STATEMENT_TIMEOUT_MS: whole(15_000),
  ME_DB_POOL_MAX: whole(10, 1),
  ME_WORKERS: z.coerce.number({ error: 'must be a whole number from 1 to 256' }).int('must be a whole number from 1 to 256')
    .min(1, 'must be a whole number from 1 to 256').max(256, 'must be a whole number from 1 to 256').optional(),
  ME_HISTORY_RETENTION_DAYS: whole(0, 0, 36_500, 'a number of days'),
  ME_SHUTDOWN_TIMEOUT_MS: whole(10_000, 0, 3_600_000, 'a number of milliseconds'),
  ME_LOG_LEVEL: z.enum(['info', 'warn', 'error', 'silent'], { error: 'must be info, warn, error or silent' }).default('info'),
  ME_EMBEDDING_URL: url('http://localhost:11434/v1').optional(),
  ME_EMBEDDING_MODEL: z.string().optional(),
  ME_EMBEDDING_DIMENSIONS: z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').positive('must be positive').max(16000, 'must be at most 16000').optional(),
  ME_EMBEDDING_API_KEY: z.string().optional(),
  ME_EMBEDDING_BATCH: whole(32, 1, 2048),
  ME_EMBEDDING_POLL_MS: whole(1000, 10),
  ME_EMBEDDING_RETRY_MS: whole(5000, 10),
  // Authentication (AUTH_DESIGN.md): signing secret (generated into the data dir when unset),
  // identity providers (each enabled when its client id and secret are set), token lifetimes.
  ME_AUTH_SECRET: secret.optional(),
  BETTER_AUTH_SECRET: secret.optional(),
  ME_GITHUB_CLIENT_ID: z.string().optional(),
  ME_GITHUB_CLIENT_SECRET: z.string().optional(),
  ME_GOOGLE_CLIENT_ID: z.string().optional(),
  ME_GOOGLE_CLIENT_SECRET: z.string().optional(),
  ME_OIDC_ISSUER: url('https://idp.example.com/realms/main').optional(),
  ME_OIDC_CLIENT_ID: z.string().optional(),
  ME_OIDC_CLIENT_SECRET: z.string().optional(),
  ME_OIDC_NAME: z.string().min(1).max(60, 'must be at most 60 characters').default('Single sign-on'),
  ME_ACCESS_TOKEN_TTL: whole(900, 30, 86_400, 'a number of seconds'),
  ME_REFRESH_TOKEN_TTL: whole(30 * 86_400, 300, 365 * 86_400, 'a number of seconds'),
  ME_AUTH_RATE_LIMIT: z.enum(['on', 'off'], { error: 'must be on or off' }).optional(),
  NODE_ENV: z.string().optional(),
});

export interface ServerConfig {
  databaseUrl?: string;
  dataDir: string;
  host: string;
  port: number;
  /** The origin clients use to reach this server (OAuth issuer, MCP resource). */
  publicUrl?: string;
  /** Reverse proxies whose X-Forwarded-For is believed (addresses); empty = none, the default. */
  trustProxy: string[];
  bodyLimit: number;
  statementTimeoutMs: number;
  /** This process's app pool: its share of ME_DB_POOL_MAX, which is the whole server's (see poolShare). */
  poolMax: number;
  /** Server processes sharing the port (server/cluster.ts); always 1 on the embedded database. */
  workers: number;
  /** Days of memory history to keep (server/memory/retention.ts); 0 keeps it forever. */
  historyRetentionDays: number;
  logLevel: 'info' | 'warn' | 'error' | 'silent';
  /** On SIGTERM/SIGINT: how long in-flight requests may take before the process exits anyway (non-zero). */
  shutdownTimeoutMs: number;
  /** Worker knobs: texts per provider call, idle poll interval, first retry delay (doubles per failure). */
  embedding?: { url: string; model: string; dimensions: number; apiKey?: string; batch: number; pollMs: number; retryMs: number };
  auth: AuthConfig;
}

export interface OAuthClientConfig { clientId: string; clientSecret: string }
export interface AuthConfig {
  /** Signs cookies and encrypts the JWT signing keys; generated into the data dir when unset. */
  secret?: string;
  github?: OAuthClientConfig;
  google?: OAuthClientConfig;
  /** A generic OpenID Connect provider, found by discovery from its issuer. */
  oidc?: OAuthClientConfig & { issuer: string; name: string };
  /** Seconds. */
  accessTokenTtl: number;
  refreshTokenTtl: number;
  /** better-auth's per-address limits (sign-in, token, device codes), counted in Postgres. */
  rateLimit: boolean;
}

function pair(what: string, id: string | undefined, secret: string | undefined): OAuthClientConfig | undefined {
  if (!id && !secret) return undefined;
  if (!id || !secret) throw new ConfigError(`invalid configuration: ${what} needs both its client id and its client secret`);
  return { clientId: id, clientSecret: secret };
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env) {
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'memory-engine');
}

/**
 * A worker's share of the server's app connections (ME_DB_POOL_MAX): ⌈max ÷ workers⌉, and at least
 * 2 (a slow search on a worker's only connection would hold up every query queued behind it).
 * Shared rather than per worker so that Postgres sees the same budget whatever the core count, and
 * because postgres.js pipelines the queries of a busy pool on its connections: with 32 clients,
 * 2 workers of 10 connections each served fewer memory.get than 1 of 10, and 2 of 5 more
 * (bench/README.md, "workers").
 */
export const poolShare = (max: number, workers: number) => Math.max(Math.ceil(max / workers), Math.min(max, 2));

/** Reads the configuration from the environment; a problem is a ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  // An empty variable counts as unset (`ME_PORT= npm start` is the default port, not port 0).
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(set);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      return `${name} ${i.message}${SECRETS.has(name) ? '' : ` (it is ${JSON.stringify(set[name])})`}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  if (e.ME_WORKERS && e.ME_WORKERS > 1 && !e.DATABASE_URL) {
    throw new ConfigError(`invalid configuration: ME_WORKERS above 1 needs DATABASE_URL: the embedded database serves one process (it is "${set.ME_WORKERS}")`);
  }
  // One per core on server Postgres; the embedded database is one session in one process.
  const workers = e.ME_WORKERS ?? (e.DATABASE_URL ? availableParallelism() : 1);
  let embedding: ServerConfig['embedding'];
  if (e.ME_EMBEDDING_URL || e.ME_EMBEDDING_MODEL) {
    if (!e.ME_EMBEDDING_URL || !e.ME_EMBEDDING_MODEL || !e.ME_EMBEDDING_DIMENSIONS) {
      throw new ConfigError('invalid configuration: embeddings need ME_EMBEDDING_URL, ME_EMBEDDING_MODEL and ME_EMBEDDING_DIMENSIONS together');
    }
    embedding = {
      url: e.ME_EMBEDDING_URL, model: e.ME_EMBEDDING_MODEL, dimensions: e.ME_EMBEDDING_DIMENSIONS, apiKey: e.ME_EMBEDDING_API_KEY,
      batch: e.ME_EMBEDDING_BATCH, pollMs: e.ME_EMBEDDING_POLL_MS, retryMs: e.ME_EMBEDDING_RETRY_MS,
    };
  }
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: e.ME_DATA_DIR ?? defaultDataDir(env),
    host: e.ME_HOST,
    port: e.ME_PORT,
    publicUrl: e.ME_PUBLIC_URL?.replace(/\/+$/, ''),
    trustProxy: (e.ME_TRUST_PROXY ?? '').split(',').map((a) => a.trim()).filter(Boolean),
    bodyLimit: e.ME_BODY_LIMIT,
    statementTimeoutMs: e.ME_STATEMENT_TIMEOUT_MS,
    poolMax: poolShare(e.ME_DB_POOL_MAX, workers),
    workers,
    historyRetentionDays: e.ME_HISTORY_RETENTION_DAYS,
    logLevel: e.ME_LOG_LEVEL,
    shutdownTimeoutMs: e.ME_SHUTDOWN_TIMEOUT_MS,
    embedding,
    auth: {
      secret: e.ME_AUTH_SECRET ?? e.BETTER_AUTH_SECRET,
      github: pair('GitHub sign-in (ME_GITHUB_CLIENT_ID, ME_GITHUB_CLIENT_SECRET)', e.ME_GITHUB_CLIENT_ID, e.ME_GITHUB_CLIENT_SECRET),
      google: pair('Google sign-in (ME_GOOGLE_CLIENT_ID, ME_GOOGLE_CLIENT_SECRET)', e.ME_GOOGLE_CLIENT_ID, e.ME_GOOGLE_CLIENT_SECRET),
      oidc: oidcConfig(e),
      accessTokenTtl: e.ME_ACCESS_TOKEN_TTL,
      refreshTokenTtl: e.ME_REFRESH_TOKEN_TTL,
      rateLimit: e.ME_AUTH_RATE_LIMIT ? e.ME_AUTH_RATE_LIMIT === 'on' : e.NODE_ENV === 'production',
    },
  };
}

function oidcConfig(e: z.infer<typeof envSchema>): AuthConfig['oidc'] {
  const client = pair('OIDC sign-in (ME_OIDC_CLIENT_ID, ME_OIDC_CLIENT_SECRET)', e.ME_OIDC_CLIENT_ID, e.ME_OIDC_CLIENT_SECRET);
  if (!client && !e.ME_OIDC_ISSUER) return undefined;
  if (!client || !e.ME_OIDC_ISSUER) throw new ConfigError('invalid configuration: OIDC sign-in needs ME_OIDC_ISSUER, ME_OIDC_CLIENT_ID and ME_OIDC_CLIENT_SECRET together');
  return { ...client, issuer: e.ME_OIDC_ISSUER.replace(/\/+$/, ''), name: e.ME_OIDC_NAME };
}
