// Per-request cost of each credential kind (issue 3 → Performance): the time `authenticate()` takes
// to turn a request into a Caller, in process (no HTTP), for an API key (cache hit and cache miss),
// a JWT access token (verified locally against the cached JWKS: no database round trip), an opaque
// access token (one indexed lookup) and a cookie session (better-auth getSession + CSRF check; cache
// hit and miss).
// Registered in bench/measures/index.ts; see AUTH_DESIGN.md → "Cost per request".
import { randomBytes } from 'node:crypto';
import { forgetApiKey } from '../../server/auth/api-keys.js';
import { authenticate, fetchHeaders } from '../../server/auth/authenticate.js';
import { hashToken } from '../../server/auth/hash.js';
import { mintAccessToken } from '../../test/support/tokens.js';
import { latency } from '../harness/stats.js';
import type { BenchContext, Measure } from './types.js';

export const authCredentials: Measure = {
  name: 'auth',
  when: 'once',
  async run({ target, report, quick }: BenchContext) {
    const { server } = target;
    const svc = server.services;
    const auth = server.auth;
    const sql = svc.sql;
    const [owner] = await sql<{ id: string; name: string; email: string }[]>`
      select u.id, u.name, u.email from auth.users u join core.principal p on p.id = u.id order by p.created_at limit 1`;
    if (!owner) throw new Error('bench auth: the bootstrap owner has no auth.users row');

    // The four credentials, all for the bootstrap owner.
    const n = quick ? 500 : 2000;
    // Shaped like the authorization server's own (RFC 9068: typ at+jwt, client_id), which the
    // verifier requires.
    const signJwt = (jti: string) => mintAccessToken(server, { sub: owner.id, aud: auth.resources.api, name: owner.name, email: owner.email, jti });
    const jwt = await signJwt('bench');
    // Distinct tokens, so every call pays the signature check (a verified JWT is remembered).
    const freshJwts: string[] = [];
    for (let i = 0; i < n + 50; i++) freshJwts.push(await signJwt(`bench-${i}`));
    const opaque = randomBytes(24).toString('base64url');
    await sql`insert into auth.oauth_access_token (token, client_id, user_id, scopes, expires_at, created_at)
      values (${hashToken(opaque)}, 'me-cli', ${owner.id}, ${sql.json(['memory:read', 'memory:write'])}, now() + interval '1 hour', now())`;
    const link = await auth.ownerSignInLink();
    if (!link) throw new Error('bench auth: no owner sign-in link (an identity provider is configured)');
    const signIn = await fetch(link, { redirect: 'manual' });
    const cookie = signIn.headers.getSetCookie().find((c) => c.startsWith('me.session_token='))?.split(';')[0];
    if (!cookie) throw new Error('bench auth: the owner link set no session cookie');

    const request = (headers: Record<string, string>) => fetchHeaders(new Headers(headers));
    const api = { resource: auth.resources.api, cookies: true, unboundTokens: true };
    const keyId = (await authenticate(svc, auth.verifiers, request({ authorization: `Bearer ${target.key}` }), api)).keyId!;
    const fixed = (headers: Record<string, string>) => () => headers;
    const cases: [string, (i: number) => Record<string, string>, (() => void)?][] = [
      ['API key (cached)', fixed({ authorization: `Bearer ${target.key}` })],
      ['API key (cache miss)', fixed({ authorization: `Bearer ${target.key}` }), () => forgetApiKey(svc, keyId)],
      ['JWT access token (seen before)', fixed({ authorization: `Bearer ${jwt}` })],
      ['JWT access token (first use)', (i) => ({ authorization: `Bearer ${freshJwts[i]}` })],
      ['opaque access token', fixed({ authorization: `Bearer ${opaque}` })],
      ['cookie session (cached)', fixed({ cookie, origin: server.url })],
      ['cookie session (cache miss)', fixed({ cookie, origin: server.url }), () => auth.forgetSessions()],
    ];
    for (const [label, headersFor, before] of cases) {
      const samples: number[] = [];
      for (let i = 0; i < n + 50; i++) {
        before?.();
        const req = request(headersFor(i));
        const t = performance.now();
        const caller = await authenticate(svc, auth.verifiers, req, api);
        if (i >= 50) samples.push(performance.now() - t);
        if (caller.principalId !== owner.id) throw new Error(`bench auth: ${label} authenticated someone else`);
      }
      const l = latency(samples);
      report.add({
        db: target.label,
        metric: `auth: ${label}`,
        value: l.p50 * 1000,
        unit: 'µs p50',
        note: `p95 ${(l.p95 * 1000).toFixed(0)} µs, mean ${(l.mean * 1000).toFixed(0)} µs, ${n} sequential calls of authenticate()`,
      });
    }
  },
};
