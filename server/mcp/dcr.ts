import type { Context, Hono, Next } from 'hono';
import { z } from 'zod';
import type { Services } from '../context.js';
import { clientAddress, hitRateLimit } from '../util/rate-limit.js';

// Dynamic client registration (RFC 7591) in front of better-auth's /oauth2/register. Registration
// is open to anyone (that is what lets an MCP client connect from nothing but the URL), so:
//  - every field is bounded and checked (400 invalid_client_metadata naming the field); fields we
//    do not know are dropped rather than stored;
//  - it is rate limited per client address, in Postgres (shared by replicas);
//  - Claude Code (and other CLI clients) register loopback redirect URIs without application_type;
//    better-auth 1.7 then assumes "web", which forbids http://127.0.0.1 redirects. A registration
//    whose redirect URIs are all loopback is a native app (RFC 8252), so that becomes the default.
// A third-party client that omits `resource` (RFC 8707) at the authorize step (some Claude Code
// versions) gets the MCP resource: third-party clients exist here to use /mcp, and without a
// resource their token would be an opaque token /mcp refuses. Trusted first-party clients
// (skip_consent, e.g. the `me` CLI) are left alone.

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

const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https: URL' }).max(2_000);
const short = (max: number) => z.string().max(max);

/** The client metadata we accept (RFC 7591 §2), each field bounded. */
export const registrationSchema = z.object({
  redirect_uris: z.array(z.url({ error: 'must be an absolute URL' }).max(2_000)).min(1).max(10),
  client_name: short(200).optional(),
  client_uri: httpsUrl.optional(),
  logo_uri: httpsUrl.optional(),
  policy_uri: httpsUrl.optional(),
  tos_uri: httpsUrl.optional(),
  contacts: z.array(short(320)).max(10).optional(),
  scope: short(1_000).optional(),
  grant_types: z.array(short(100)).max(10).optional(),
  response_types: z.array(short(100)).max(10).optional(),
  token_endpoint_auth_method: short(100).optional(),
  application_type: z.enum(['web', 'native']).optional(),
  software_id: short(200).optional(),
  software_version: short(100).optional(),
  post_logout_redirect_uris: z.array(z.url().max(2_000)).max(10).optional(),
  type: short(100).optional(),
});

/** The registration body, checked and with application_type defaulted to native for loopback-only clients. */
export function checkRegistration(body: unknown): { ok: true; body: z.infer<typeof registrationSchema> } | { ok: false; error: string } {
  const parsed = registrationSchema.safeParse(body);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    return { ok: false, error: `${i.path.map(String).join('.') || 'body'}: ${i.message}` };
  }
  const b = parsed.data;
  if (b.application_type === undefined && b.redirect_uris.every(isLoopbackRedirect)) return { ok: true, body: { ...b, application_type: 'native' } };
  return { ok: true, body: b };
}

/**
 * Mounts the registration front door. It must be mounted before better-auth's catch-all route
 * (Hono runs matching handlers in registration order).
 */
export function mountRegistration(app: Hono<any>, svc: Services, opts: { mcpResource: () => string; trustProxy: readonly string[]; maxPerMinute?: number }) {
  app.get(AUTHORIZE_PATH, async (c: Context, next: Next) => {
    const url = new URL(c.req.raw.url);
    const clientId = url.searchParams.get('client_id');
    if (!clientId || url.searchParams.has('resource')) return next();
    const [client] = await svc.sql<{ skip_consent: boolean | null }[]>`select skip_consent from auth.oauth_client where client_id = ${clientId}`;
    if (!client || client.skip_consent) return next();
    url.searchParams.set('resource', opts.mcpResource());
    c.req.raw = new Request(url, { method: 'GET', headers: c.req.raw.headers });
    return next();
  });
  app.post(REGISTER_PATH, async (c: Context, next: Next) => {
    const verdict = await hitRateLimit(svc.sql, `dcr:${clientAddress(c, opts.trustProxy)}`, opts.maxPerMinute ?? 20, 60);
    if (!verdict.ok) {
      c.header('Retry-After', String(verdict.retryAfterS));
      return c.json({ error: 'too_many_requests', error_description: `too many client registrations from this address; retry in ${verdict.retryAfterS} s` }, 429);
    }
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return c.json({ error: 'invalid_client_metadata', error_description: 'the registration must be a JSON object (Content-Type: application/json)' }, 400);
    }
    const checked = checkRegistration(body);
    if (!checked.ok) return c.json({ error: 'invalid_client_metadata', error_description: checked.error }, 400);
    const headers = new Headers(c.req.raw.headers);
    headers.delete('content-length');
    headers.set('content-type', 'application/json');
    c.req.raw = new Request(c.req.raw.url, { method: 'POST', headers, body: JSON.stringify(checked.body) });
    return next();
  });
}
