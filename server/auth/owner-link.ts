import { randomBytes } from 'node:crypto';
import type { BetterAuthPlugin } from 'better-auth';
import { createAuthEndpoint } from 'better-auth/api';
import { setSessionCookie } from 'better-auth/cookies';
import { z } from 'zod';
import { hashToken } from './hash.js';

const TTL_MS = 15 * 60_000;
export const OWNER_SIGN_IN_PATH = '/owner-sign-in';

/**
 * One-time sign-in links for the local owner (like Jupyter's token URL): used when no identity
 * provider is configured. Each link works once, for 15 minutes, from a loopback address only (the
 * HTTP layer checks the peer address). Only the token's hash is kept, in memory.
 */
export class OwnerLinks {
  private pending = new Map<string, { userId: string; expires: number }>();

  issue(userId: string): string {
    const token = randomBytes(32).toString('base64url');
    this.pending.set(hashToken(token), { userId, expires: Date.now() + TTL_MS });
    return token;
  }

  /** The user the token signs in, once; null for an unknown, used or expired token. */
  consume(token: string): string | null {
    const key = hashToken(token);
    const entry = this.pending.get(key);
    this.pending.delete(key);
    for (const [k, v] of this.pending) if (v.expires <= Date.now()) this.pending.delete(k);
    return entry && entry.expires > Date.now() ? entry.userId : null;
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
        const userId = links.consume(ctx.query.token);
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
