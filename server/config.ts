import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

const int = (d: number) => z.coerce.number().int().nonnegative().default(d);

/** Every environment variable the server reads (README lists them all). */
const envSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  ME_DATA_DIR: z.string().optional(),
  ME_HOST: z.string().default('127.0.0.1'),
  ME_PORT: int(3210),
  ME_PUBLIC_URL: z.string().url().optional(),
  // 8 MiB admits the largest memory (1 MB of content, every byte JSON-escaped as \u00XX: 6 MB) with its meta.
  ME_BODY_LIMIT: int(8 * 1024 * 1024),
  ME_STATEMENT_TIMEOUT_MS: int(15_000),
  ME_DB_POOL_MAX: int(10),
  ME_LOG_LEVEL: z.enum(['info', 'warn', 'error', 'silent']).default('info'),
  ME_EMBEDDING_URL: z.string().url().optional(),
  ME_EMBEDDING_MODEL: z.string().optional(),
  ME_EMBEDDING_DIMENSIONS: z.coerce.number().int().positive().max(16000).optional(),
  ME_EMBEDDING_API_KEY: z.string().optional(),
  ME_EMBEDDING_BATCH: z.coerce.number().int().min(1).max(2048).default(32),
  ME_EMBEDDING_POLL_MS: z.coerce.number().int().min(10).default(1000),
  ME_EMBEDDING_RETRY_MS: z.coerce.number().int().min(10).default(5000),
  // Authentication (AUTH_DESIGN.md): signing secret (generated into the data dir when unset),
  // identity providers (each enabled when its client id and secret are set), token lifetimes.
  ME_AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  BETTER_AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ME_GITHUB_CLIENT_ID: z.string().optional(),
  ME_GITHUB_CLIENT_SECRET: z.string().optional(),
  ME_GOOGLE_CLIENT_ID: z.string().optional(),
  ME_GOOGLE_CLIENT_SECRET: z.string().optional(),
  ME_OIDC_ISSUER: z.string().url().optional(),
  ME_OIDC_CLIENT_ID: z.string().optional(),
  ME_OIDC_CLIENT_SECRET: z.string().optional(),
  ME_OIDC_NAME: z.string().min(1).max(60).default('Single sign-on'),
  ME_ACCESS_TOKEN_TTL: z.coerce.number().int().min(30).max(86_400).default(900),
  ME_REFRESH_TOKEN_TTL: z.coerce.number().int().min(300).max(365 * 86_400).default(30 * 86_400),
});

export interface ServerConfig {
  databaseUrl?: string;
  dataDir: string;
  host: string;
  port: number;
  /** The origin clients use to reach this server (OAuth issuer, MCP resource). */
  publicUrl?: string;
  bodyLimit: number;
  statementTimeoutMs: number;
  poolMax: number;
  logLevel: 'info' | 'warn' | 'error' | 'silent';
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
}

function pair(what: string, id: string | undefined, secret: string | undefined): OAuthClientConfig | undefined {
  if (!id && !secret) return undefined;
  if (!id || !secret) throw new Error(`invalid configuration: ${what} needs both its client id and its client secret`);
  return { clientId: id, clientSecret: secret };
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env) {
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'memory-engine');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ');
    throw new Error(`invalid configuration:\n  ${problems}`);
  }
  const e = parsed.data;
  let embedding: ServerConfig['embedding'];
  if (e.ME_EMBEDDING_URL || e.ME_EMBEDDING_MODEL) {
    if (!e.ME_EMBEDDING_URL || !e.ME_EMBEDDING_MODEL || !e.ME_EMBEDDING_DIMENSIONS) {
      throw new Error('invalid configuration: embeddings need ME_EMBEDDING_URL, ME_EMBEDDING_MODEL and ME_EMBEDDING_DIMENSIONS together');
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
    bodyLimit: e.ME_BODY_LIMIT,
    statementTimeoutMs: e.ME_STATEMENT_TIMEOUT_MS,
    poolMax: e.ME_DB_POOL_MAX,
    logLevel: e.ME_LOG_LEVEL,
    embedding,
    auth: {
      secret: e.ME_AUTH_SECRET ?? e.BETTER_AUTH_SECRET,
      github: pair('GitHub sign-in (ME_GITHUB_CLIENT_ID, ME_GITHUB_CLIENT_SECRET)', e.ME_GITHUB_CLIENT_ID, e.ME_GITHUB_CLIENT_SECRET),
      google: pair('Google sign-in (ME_GOOGLE_CLIENT_ID, ME_GOOGLE_CLIENT_SECRET)', e.ME_GOOGLE_CLIENT_ID, e.ME_GOOGLE_CLIENT_SECRET),
      oidc: oidcConfig(e),
      accessTokenTtl: e.ME_ACCESS_TOKEN_TTL,
      refreshTokenTtl: e.ME_REFRESH_TOKEN_TTL,
    },
  };
}

function oidcConfig(e: z.infer<typeof envSchema>): AuthConfig['oidc'] {
  const client = pair('OIDC sign-in (ME_OIDC_CLIENT_ID, ME_OIDC_CLIENT_SECRET)', e.ME_OIDC_CLIENT_ID, e.ME_OIDC_CLIENT_SECRET);
  if (!client && !e.ME_OIDC_ISSUER) return undefined;
  if (!client || !e.ME_OIDC_ISSUER) throw new Error('invalid configuration: OIDC sign-in needs ME_OIDC_ISSUER, ME_OIDC_CLIENT_ID and ME_OIDC_CLIENT_SECRET together');
  return { ...client, issuer: e.ME_OIDC_ISSUER.replace(/\/+$/, ''), name: e.ME_OIDC_NAME };
}
