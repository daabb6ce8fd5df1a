import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import * as oidc from 'openid-client';
import { discover, refresh, tokenSetFrom } from '../../cli/auth/oauth.js';
import { contracts } from '../../contracts/index.js';
import { openDatabase, type Database } from '../../db/connect.js';
import { CACHE_TTL_MS } from '../../server/caches.js';
import { startEmbeddingStub, type EmbeddingStub } from '../support/embedding-stub.js';
import { loopback, MemoryProvider } from '../support/mcp-oauth.js';
import { freshDatabase } from '../support/db.js';
import { startTestServer, type TestServer } from '../support/server.js';

// Two servers on one Postgres database behind a round-robin proxy, as replicas behind a load
// balancer (docs/scaling.md): what one server does, the other sees — OAuth state, revocations,
// one-time links, rate limits — and the embedding queue is drained once.

const onServer = !!process.env.TEST_DATABASE_URL;

/** A small round-robin HTTP proxy: request n goes to upstream n mod 2; headers pass unchanged. */
async function roundRobin() {
  const upstreams: string[] = [];
  const served = [0, 0];
  let next = 0;
  const server: Server = createServer((req, res) => {
    const i = next++ % upstreams.length;
    served[i]!++;
    const target = new URL(req.url!, upstreams[i]);
    const out = request(target, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode!, up.rawHeaders);
      up.pipe(res);
    });
    out.on('error', (err) => res.writeHead(502).end(String(err)));
    req.pipe(out);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    upstreams,
    served,
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}

/** Polls `check` until it is true; returns the milliseconds it took, or throws after `withinMs`. */
async function until(check: () => Promise<boolean>, withinMs: number, what: string): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > withinMs) throw new Error(`${what}: not within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - start;
}

const rpc = async (url: string, method: string, params: unknown, headers: Record<string, string>) => {
  const endpoint = contracts.find((c) => c.name === method)!.endpoint;
  const res = await fetch(`${url}/api/v1/${endpoint}/rpc`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return { status: res.status, body: (await res.json()) as { result?: any; error?: { message: string } } };
};

describe('two servers on one Postgres behind a round-robin proxy', { skip: !onServer && 'server Postgres only (TEST_DATABASE_URL)' }, () => {
  let proxy: Awaited<ReturnType<typeof roundRobin>>;
  let a: TestServer;
  let b: TestServer;
  let dbB: Database;
  let ownerCookie: string;
  /** API keys are administered by a signed-in person (not with a key). */
  const admin = () => ({ cookie: ownerCookie, origin: proxy.url });

  before(async () => {
    proxy = await roundRobin();
    // Replicas share the public origin (OAuth issuer, MCP resource) and the signing secret.
    const env = { ME_PUBLIC_URL: proxy.url, ME_AUTH_SECRET: randomBytes(32).toString('base64url'), ME_AUTH_RATE_LIMIT: 'on' };
    a = await startTestServer({ env });
    // Its own pool and listener on the same database: as another process would have.
    dbB = await openDatabase({ url: a.services.db.url, max: 4 });
    b = await startTestServer({ env, database: dbB });
    proxy.upstreams.push(a.url, b.url);
  });
  after(async () => {
    await b?.close();
    await dbB?.close();
    await a?.close();
    await proxy?.close();
  });

  it('an owner link minted by one server works once, on either', async () => {
    const link = (await a.auth.ownerSignInLink())!;
    assert.ok(link.startsWith(proxy.url), link);
    const on = (s: TestServer) => link.replace(proxy.url, s.url);
    // The same link sent to both at once: exactly one signs in.
    const tries = await Promise.all([fetch(on(a), { redirect: 'manual' }), fetch(on(b), { redirect: 'manual' })]);
    const cookies = tries.map((r) => r.headers.getSetCookie().find((c) => c.startsWith('me.session_token=') && !/Max-Age=0/i.test(c)));
    assert.equal(cookies.filter(Boolean).length, 1, 'one of the two uses signed in');
    const refused = tries[cookies.findIndex((c) => !c)]!;
    assert.equal(new URL(refused.headers.get('location')!).searchParams.get('error'), 'OWNER_LINK_INVALID');
    ownerCookie = cookies.find(Boolean)!.split(';')[0]!;
    const again = await fetch(link.replace(proxy.url, b.url), { redirect: 'manual' });
    assert.equal(new URL(again.headers.get('location')!).searchParams.get('error'), 'OWNER_LINK_INVALID');
    // A link minted by the other server works here.
    const other = (await b.auth.ownerSignInLink())!;
    const used = await fetch(other.replace(proxy.url, a.url), { redirect: 'manual' });
    assert.ok(used.headers.getSetCookie().some((c) => c.startsWith('me.session_token=')));
  });

  it('an API key revoked through one server is refused by the other faster than the cache TTL (NOTIFY)', async () => {
    const created = await rpc(a.url, 'apiKey.create', { name: 'replica-key' }, admin());
    const key = created.body.result.key as string;
    const cachedAt = Date.now();
    // Used on B: B now holds it in its cache for CACHE_TTL_MS.
    assert.equal((await rpc(b.url, 'memory.count', {}, { authorization: `Bearer ${key}` })).status, 200);
    assert.equal((await rpc(b.url, 'memory.count', {}, { authorization: `Bearer ${key}` })).status, 200);
    const revoked = await rpc(a.url, 'apiKey.revoke', { id: created.body.result.id }, admin());
    assert.equal(revoked.body.result?.revoked, true);
    const tookMs = await until(async () => (await rpc(b.url, 'memory.count', {}, { authorization: `Bearer ${key}` })).status === 401, CACHE_TTL_MS, 'B refuses the revoked key');
    // Refused before B's cached entry would have expired by itself: the notification did it.
    assert.ok(Date.now() - cachedAt < CACHE_TTL_MS, `refused ${Date.now() - cachedAt} ms after B cached it (TTL ${CACHE_TTL_MS} ms)`);
    console.log(`# revoked key refused by the other server after ${tookMs} ms`);
  });

  it('signing out through one server ends the session on the other at once', async () => {
    const link = (await a.auth.ownerSignInLink())!;
    const signIn = await fetch(link.replace(proxy.url, a.url), { redirect: 'manual' });
    const cookie = signIn.headers.getSetCookie().find((c) => c.startsWith('me.session_token='))!.split(';')[0]!;
    const whoami = (s: TestServer) => rpc(s.url, 'whoami', {}, { cookie, origin: proxy.url });
    assert.equal((await whoami(b)).status, 200); // cached on B
    const out = await fetch(`${a.url}/api/v1/auth/sign-out`, { method: 'POST', headers: { cookie, origin: proxy.url, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(out.status, 200);
    await until(async () => (await whoami(b)).status === 401, CACHE_TTL_MS - 1000, 'B refuses the signed-out session');
  });

  it('a lost notification is made up for: when the listener reconnects, every cache is dropped', async () => {
    const created = await rpc(a.url, 'apiKey.create', { name: 'missed-key' }, admin());
    const key = created.body.result.key as string;
    const cachedAt = Date.now();
    assert.equal((await rpc(b.url, 'memory.count', {}, { authorization: `Bearer ${key}` })).status, 200);
    // Deleted behind every server's back (no NOTIFY), then B's listener connection is cut.
    await a.services.sql`delete from core.api_key where id = ${created.body.result.id}`;
    assert.equal((await rpc(b.url, 'memory.count', {}, { authorization: `Bearer ${key}` })).status, 200, 'B still trusts its cached key');
    const [cut] = await a.services.sql<{ n: number }[]>`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
      where datname = current_database() and query ilike 'listen%' and pid <> pg_backend_pid()`;
    assert.ok(cut!.n >= 1, 'a listener connection was cut');
    await until(async () => (await rpc(b.url, 'memory.count', {}, { authorization: `Bearer ${key}` })).status === 401, CACHE_TTL_MS, 'B refuses the deleted key');
    assert.ok(Date.now() - cachedAt < CACHE_TTL_MS, `refused ${Date.now() - cachedAt} ms after B cached it (TTL ${CACHE_TTL_MS} ms)`);
    // And the listener is back: a revocation is seen at once again.
    const again = await rpc(a.url, 'apiKey.create', { name: 'after-reconnect' }, admin());
    await until(async () => (await a.services.sql`select 1 from pg_stat_activity where datname = current_database() and query ilike 'listen%'`).length >= 2, 5000, 'both listeners reconnected');
    const againAt = Date.now();
    assert.equal((await rpc(b.url, 'memory.count', {}, { authorization: `Bearer ${again.body.result.key}` })).status, 200);
    await rpc(a.url, 'apiKey.revoke', { id: again.body.result.id }, admin());
    await until(async () => (await rpc(b.url, 'memory.count', {}, { authorization: `Bearer ${again.body.result.key}` })).status === 401, CACHE_TTL_MS, 'B refuses');
    assert.ok(Date.now() - againAt < CACHE_TTL_MS);
  });

  it('an MCP client\'s OAuth flow runs across both (DCR, authorize, consent, token, /mcp calls), then a disconnect on one locks it out of both', async () => {
    const mcpUrl = new URL(`${proxy.url}/mcp`);
    const served = [...proxy.served];
    const lb = await loopback();
    const provider = new MemoryProvider(lb.redirectUri);
    try {
      const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
      await assert.rejects(new Client({ name: 'replica-test', version: '1.0.0' }).connect(transport), UnauthorizedError);
      assert.ok(provider.info?.client_id, 'registered through the proxy');
      // The browser's part, through the proxy: authorize (signed in by the owner's cookie) → consent.
      const authorize = await fetch(provider.authUrl!, { headers: { cookie: ownerCookie, accept: 'application/json' } });
      const toConsent = (await authorize.json()) as { url: string };
      const consentPage = new URL(toConsent.url, proxy.url);
      assert.equal(consentPage.pathname, '/consent', JSON.stringify(toConsent));
      const consent = await fetch(`${proxy.url}/api/v1/auth/oauth2/consent`, {
        method: 'POST',
        headers: { cookie: ownerCookie, origin: proxy.url, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ accept: true, oauth_query: consentPage.search.slice(1), scope: consentPage.searchParams.get('scope') }),
      });
      const back = (await consent.json()) as { url: string };
      assert.equal(consent.status, 200, JSON.stringify(back));
      await transport.finishAuth(new URL(back.url).searchParams.get('code')!);
    } finally {
      await lb.close();
    }
    const client = new Client({ name: 'replica-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }));
    try {
      for (let i = 0; i < 4; i++) {
        const created = await client.callTool({ name: 'me_memory_create', arguments: { tree: '/replicas', content: `written through the proxy ${i}` } });
        assert.ok(!created.isError, JSON.stringify(created.content));
      }
      const count = await client.callTool({ name: 'me_memory_count', arguments: { tree: '/replicas' } });
      assert.equal((count.structuredContent as { count: number }).count, 4);
    } finally {
      await client.close();
    }
    assert.ok(proxy.served[0]! - served[0]! >= 4 && proxy.served[1]! - served[1]! >= 4, `both servers served the flow: ${proxy.served}`);

    // Disconnect through A; the token is refused by B (which cached the connection) at once.
    const token = provider.saved!.access_token;
    const call = (s: TestServer) => fetch(`${s.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, host: new URL(proxy.url).host, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'me_memory_count', arguments: {} } }),
    });
    assert.equal((await call(b)).status, 200);
    const revoked = await rpc(a.url, 'connector.revoke', { clientId: provider.info!.client_id }, { cookie: ownerCookie, origin: proxy.url });
    assert.equal(revoked.body.result?.revoked, true, JSON.stringify(revoked.body));
    await until(async () => (await call(b)).status === 401, CACHE_TTL_MS - 1000, 'B refuses the disconnected application');
  });

  it('the CLI signs in through the proxy and refreshes across both servers (rotation seen by each)', async () => {
    const config = await discover(proxy.url);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const redirectUri = 'http://127.0.0.1:9/callback'; // never reached: the code is read from the redirect
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'offline_access memory:read memory:write space:admin', state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    // me-cli is first-party: no consent page, straight back to the loopback with a code.
    const res = await fetch(url, { headers: { cookie: ownerCookie, accept: 'application/json' } });
    const callback = new URL(((await res.json()) as { url: string }).url);
    assert.ok(callback.searchParams.get('code'), callback.href);
    let set = tokenSetFrom(proxy.url, config, await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }));
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const before = set.refreshToken;
      set = await refresh(set); // the CLI's own refresh: alternately answered by A and B
      assert.notEqual(set.refreshToken, before, 'rotated');
      seen.push(set.accessToken);
      for (const s of [a, b]) {
        const who = await rpc(s.url, 'whoami', {}, { authorization: `Bearer ${set.accessToken}` });
        assert.equal(who.status, 200, JSON.stringify(who.body));
      }
    }
    assert.equal(new Set(seen).size, 4);
    // The replaced refresh token is dead on both.
    await assert.rejects(refresh({ ...set, refreshToken: 'not-a-token' }), /sign in again/);
  });

  it('sign-in is rate limited per client address in Postgres, by the address the edge trusts (not X-Forwarded-For)', async () => {
    await a.services.sql`delete from core.rate_limit where bucket like 'auth:%'`;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      // Alternately on each server, each time claiming another address: one budget all the same.
      const res = await fetch(`${(i % 2 ? b : a).url}/api/v1/auth/sign-in/social`, {
        method: 'POST', headers: { 'content-type': 'application/json', origin: proxy.url, 'x-forwarded-for': `203.0.113.${i}` },
        body: JSON.stringify({ provider: 'github', callbackURL: '/' }),
      });
      statuses.push(res.status);
    }
    assert.equal(statuses.filter((s) => s === 429).length, 1, `the 4th sign-in within 10 s is refused: ${statuses}`);
    assert.equal(statuses[3], 429);
    const [row] = await a.services.sql<{ bucket: string; hits: number }[]>`select bucket, hits from core.rate_limit where bucket like 'auth:%sign-in%'`;
    assert.equal(row?.bucket, 'auth:127.0.0.1|/sign-in/social');
  });
});

describe('the embedding queue with two servers', () => {
  let stub: EmbeddingStub;
  let db: Database;
  const servers: TestServer[] = [];
  let own: Database | undefined;

  before(async () => {
    stub = await startEmbeddingStub();
    db = await freshDatabase();
  });
  after(async () => {
    for (const s of servers.reverse()) await s.close();
    await own?.close();
    await db?.close();
    await stub?.close();
  });

  it('each memory is embedded exactly once while both workers run', async (t) => {
    const env = (n: number) => ({
      ME_EMBEDDING_URL: stub.url, ME_EMBEDDING_MODEL: 'stub', ME_EMBEDDING_DIMENSIONS: '16', ME_EMBEDDING_BATCH: '3', ME_EMBEDDING_POLL_MS: '10',
      ME_EMBEDDING_API_KEY: `server-${n}`, // tells the stub which server called
    });
    const first = await startTestServer({ database: db, env: env(1) });
    servers.push(first);
    if (!first.services.features.vector) {
      t.skip('this Postgres has no pgvector: embeddings are off');
      return;
    }
    // Server Postgres: the second server has its own pool, as another process would.
    if (db.kind === 'server') own = await openDatabase({ url: db.url, max: 4 });
    const second = await startTestServer({ database: own ?? db, env: env(2) });
    servers.push(second);
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push((await first.call('memory.create', { tree: '/queue', content: `note number ${i} about topic${i}` })).id);
    await until(async () => (await first.services.sql`select 1 from core.embedding_queue limit 1`).length === 0, 60_000, 'the queue drains');
    const texts = stub.requests.flatMap((r) => r.input);
    assert.equal(texts.length, 60, 'one embedding call per memory');
    assert.equal(new Set(texts).size, 60, 'no memory twice');
    const [{ n }] = await first.services.sql<{ n: number }[]>`select count(*)::int as n from core.memory where id = any(${ids}::uuid[]) and embedding is not null` as unknown as [{ n: number }];
    assert.equal(n, 60);
    const by = new Set(stub.requests.map((r) => r.authorization));
    assert.deepEqual([...by].sort(), ['Bearer server-1', 'Bearer server-2'], 'both workers took part');
  });
});
