import type { Context, Hono, Next } from 'hono';
import type { Sql } from '../../db/connect.js';

// Dynamic client registration (RFC 7591) in front of better-auth's /oauth2/register:
//  - Claude Code (and other CLI clients) register loopback redirect URIs without application_type;
//    better-auth 1.7 then assumes "web", which forbids http://127.0.0.1 redirects. A registration
//    whose redirect URIs are all loopback is a native app (RFC 8252), so that becomes the default.
//  - Registration is open to anyone, so it is rate limited per client address.
//  - A third-party client that omits `resource` (RFC 8707) at the authorize step (some Claude Code
//    versions) gets the MCP resource: third-party clients exist here to use /mcp, and without a
//    resource their token would be an opaque token /mcp refuses. Trusted first-party clients
//    (skip_consent, e.g. the `me` CLI) are left alone.

export const REGISTER_PATH = '/api/v1/auth/oauth2/register';
export const AUTHORIZE_PATH = '/api/v1/auth/oauth2/authorize';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

export function isLoopbackRedirect(uri: unknown): boolean {
  if (typeof uri !== 'string') return false;
  try {
    const u = new URL(uri);
    return (u.protocol === 'http:' || u.protocol === 'https:') && LOOPBACK_HOSTS.has(u.hostname);
  } catch {
    return false;
  }
}

/** The registration body with application_type defaulted to native for loopback-only clients. */
export function withNativeDefault(body: Record<string, unknown>): Record<string, unknown> {
  const uris = body.redirect_uris;
  if (body.application_type !== undefined || !Array.isArray(uris) || uris.length === 0) return body;
  return uris.every(isLoopbackRedirect) ? { ...body, application_type: 'native' } : body;
}

/** A fixed-window limit per key: at most `max` in each `windowMs`. */
export function windowLimiter(max: number, windowMs: number) {
  const hits = new Map<string, { start: number; count: number }>();
  return (key: string, now = Date.now()): { ok: true } | { ok: false; retryAfterS: number } => {
    let h = hits.get(key);
    if (!h || now - h.start >= windowMs) {
      if (hits.size > 10_000) hits.clear();
      h = { start: now, count: 0 };
      hits.set(key, h);
    }
    if (++h.count > max) return { ok: false, retryAfterS: Math.ceil((h.start + windowMs - now) / 1000) };
    return { ok: true };
  };
}

const peer = (c: Context) =>
  (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress ?? 'unknown';

/**
 * Mounts the registration front door. It must be mounted before better-auth's catch-all route
 * (Hono runs matching handlers in registration order).
 */
export function mountRegistrationDefaults(app: Hono, opts: { sql: Sql; mcpResource: () => string; maxPerMinute?: number }) {
  const limit = windowLimiter(opts.maxPerMinute ?? 20, 60_000);
  app.get(AUTHORIZE_PATH, async (c: Context, next: Next) => {
    const url = new URL(c.req.raw.url);
    const clientId = url.searchParams.get('client_id');
    if (!clientId || url.searchParams.has('resource')) return next();
    const [client] = await opts.sql<{ skip_consent: boolean | null }[]>`select skip_consent from auth.oauth_client where client_id = ${clientId}`;
    if (!client || client.skip_consent) return next();
    url.searchParams.set('resource', opts.mcpResource());
    c.req.raw = new Request(url, { method: 'GET', headers: c.req.raw.headers });
    return next();
  });
  app.post(REGISTER_PATH, async (c: Context, next: Next) => {
    const verdict = limit(peer(c));
    if (!verdict.ok) {
      c.header('Retry-After', String(verdict.retryAfterS));
      return c.json({ error: 'too_many_requests', error_description: `too many client registrations from this address; retry in ${verdict.retryAfterS} s` }, 429);
    }
    let body: unknown;
    try {
      body = JSON.parse(await c.req.raw.clone().text());
    } catch {
      return next(); // better-auth answers malformed registrations itself
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return next();
    const fixed = withNativeDefault(body as Record<string, unknown>);
    if (fixed !== body) {
      const headers = new Headers(c.req.raw.headers);
      headers.delete('content-length');
      c.req.raw = new Request(c.req.raw.url, { method: 'POST', headers, body: JSON.stringify(fixed) });
    }
    return next();
  });
}
