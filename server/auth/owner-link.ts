import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BetterAuthPlugin } from 'better-auth';
import { createAuthEndpoint } from 'better-auth/api';
import { setSessionCookie } from 'better-auth/cookies';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { EdgeEnv } from '../http/edge.js';
import type { Sql } from '../../db/connect.js';
import { hashToken } from './hash.js';

const TTL_MS = 15 * 60_000;
export const OWNER_SIGN_IN_PATH = '/owner-sign-in';

/**
 * One-time sign-in links for the local owner (like Jupyter's token URL): used when no identity
 * provider is configured. Each link works once, for 15 minutes, from a loopback address only (the
 * HTTP layer checks the peer address). Only the token's hash is kept, in Postgres (core.owner_link),
 * so a link minted by one server works once on any server sharing the database.
 */
export class OwnerLinks {
  constructor(private readonly sql: Sql) {}

  async issue(userId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.sql`insert into core.owner_link (token_hash, user_id, expires_at)
      values (${hashToken(token)}, ${userId}, now() + make_interval(secs => ${TTL_MS / 1000}))`;
    return token;
  }

  /** The user the token signs in, once; null for an unknown, used or expired token. */
  async consume(token: string): Promise<string | null> {
    // One statement: of two servers given the same link at once, exactly one gets the row.
    const [row] = await this.sql<{ user_id: string; live: boolean }[]>`delete from core.owner_link
      where token_hash = ${hashToken(token)} returning user_id, expires_at > now() as live`;
    return row?.live ? row.user_id : null;
  }
}

/** better-auth endpoint GET /api/v1/auth/owner-sign-in?token=…: consumes a link, sets a normal session. */
export function ownerSignIn(links: OwnerLinks) {
  return {
    id: 'me-owner-sign-in',
    endpoints: {
      ownerSignIn: createAuthEndpoint(OWNER_SIGN_IN_PATH, {
        method: 'GET',
        query: z.object({ token: z.string().min(1).max(200) }),
      }, async (ctx) => {
        const loginPage = `${ctx.context.options.baseURL}/login`;
        const userId = await links.consume(ctx.query.token);
        if (!userId) throw ctx.redirect(`${loginPage}?error=OWNER_LINK_INVALID`);
        const user = await ctx.context.internalAdapter.findUserById(userId);
        if (!user) throw ctx.redirect(`${loginPage}?error=OWNER_LINK_INVALID`);
        const session = await ctx.context.internalAdapter.createSession(userId);
        await setSessionCookie(ctx, { session, user });
        throw ctx.redirect(loginPage);
      }),
    },
  } satisfies BetterAuthPlugin;
}

// A fresh link without a restart (`me serve --owner-link`). Proving local access to the data
// directory is the credential: at boot the server writes a random secret (and its URL) into
// $ME_DATA_DIR/owner-link.json, mode 0600; a loopback-only endpoint mints a link for whoever presents
// that secret. An API key is never enough: it can be held by an agent on another machine.

export const OWNER_LINK_FILE = 'owner-link.json';
export const OWNER_LINK_ENDPOINT = '/api/v1/owner-link';

const isLoopback = (addr: string | undefined) => !!addr && (addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.'));

/** A new minting secret for this server's run. */
export const newOwnerLinkSecret = () => randomBytes(32).toString('base64url');

/** Writes {url, secret} for `me serve --owner-link`; returns the function that removes it. */
export function publishOwnerLinkSecret(dataDir: string, url: string, secret: string): () => void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, OWNER_LINK_FILE);
  writeFileSync(file, JSON.stringify({ url, secret }) + '\n', { mode: 0o600 });
  return () => rmSync(file, { force: true });
}

/** POST /api/v1/owner-link {secret} from this machine → {link}; 403 otherwise. */
export function mountOwnerLinkMinter(app: Hono<EdgeEnv>, secret: string, mint: () => Promise<string | null>) {
  const expected = Buffer.from(secret);
  app.post(OWNER_LINK_ENDPOINT, async (c) => {
    const peer = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
    if (!isLoopback(peer) || c.req.header('x-forwarded-for') || c.req.header('forwarded')) {
      return c.json({ error: 'owner links are minted only for requests from this machine' }, 403);
    }
    const given = Buffer.from(String(((await c.req.json().catch(() => ({}))) as { secret?: unknown }).secret ?? ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return c.json({ error: `the secret does not match this server's ${OWNER_LINK_FILE}` }, 403);
    }
    const link = await mint();
    if (!link) return c.json({ error: 'identity providers are configured: owners sign in with them at /login' }, 409);
    return c.json({ link });
  });
}
