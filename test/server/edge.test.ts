import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';

// The edge every request goes through (server/http/edge.ts): body limits on every route, enforced
// before the body is buffered; one JSON-RPC envelope; dynamic client registration bounded and
// rate limited in Postgres.

let s: TestServer;
before(async () => { s = await startTestServer({ env: { ME_BODY_LIMIT: String(1024 * 1024) } }); });
after(async () => { await s?.close(); });

const MiB = 1024 * 1024;
const BODY_ROUTES = [
  '/api/v1/memory/rpc', '/api/v1/user/rpc', '/mcp',
  '/api/v1/auth/oauth2/register', '/api/v1/auth/oauth2/token', '/api/v1/auth/oauth2/consent', '/api/v1/auth/sign-in/social',
  '/no/such/route',
];

/** Child-process script: 10 connections, each posting oversized chunked bodies to /mcp over and over; prints each status. */
const UPLOADER = `
const http = require('node:http');
const [url, size] = process.argv.slice(1);
const chunk = Buffer.alloc(64 * 1024, 'a');
function upload() {
  const req = http.request(url + '/mcp', { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
    res.resume();
    res.on('end', () => { process.stdout.write(res.statusCode + ' '); req.destroy(); setImmediate(upload); });
  });
  req.on('error', () => {});
  let sent = 0;
  const pump = () => { while (sent < Number(size)) { sent += chunk.length; if (!req.write(chunk)) return void req.once('drain', pump); } };
  pump();
}
for (let i = 0; i < 10; i++) upload();
`;

interface Upload { status: Promise<{ status: number; body: string; ms: number }>; abort(): void }

/**
 * Starts sending a 2 MiB body without a session and never finishes it: a server that buffers the
 * body before answering would never answer. With Content-Length nothing of the body is sent at all.
 */
function oversized(path: string, chunked: boolean): Upload {
  const { hostname, port } = new URL(s.url);
  const started = performance.now();
  const req = request({
    host: hostname, port, path, method: 'POST',
    headers: { 'content-type': 'application/json', ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(2 * MiB) }) },
  });
  req.on('error', () => {}); // the server closes the connection after its 413
  const status = new Promise<{ status: number; body: string; ms: number }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, ms: performance.now() - started }));
      res.on('error', reject);
    });
    setTimeout(() => reject(new Error(`${path}: no answer within 10 s (is the body buffered before the limit is checked?)`)), 10_000).unref();
  });
  req.flushHeaders();
  if (chunked) {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    let answered = false;
    void status.finally(() => (answered = true)).catch(() => {});
    const pump = () => {
      while (!answered && sent < 2 * MiB) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
    };
    pump();
  }
  return { status, abort: () => req.destroy() };
}

describe('body limits on every route', () => {
  for (const chunked of [false, true]) {
    it(`a 2 MiB body ${chunked ? 'sent chunked (no Content-Length)' : 'with Content-Length'} gets 413 with a JSON error, before the body ends`, async () => {
      const times: string[] = [];
      for (const path of BODY_ROUTES) {
        const upload = oversized(path, chunked);
        const { status, body, ms } = await upload.status;
        upload.abort();
        assert.equal(status, 413, `${path}: ${body}`);
        const parsed = JSON.parse(body) as { error: { data: { code: string; reason: string }; message: string } };
        assert.equal(parsed.error.data.code, 'PAYLOAD_TOO_LARGE', path);
        assert.equal(parsed.error.data.reason, 'BODY_TOO_LARGE', path);
        times.push(`${path} ${ms.toFixed(0)} ms`);
      }
      console.log(`413 answers (${chunked ? 'chunked' : 'Content-Length'}): ${times.join(', ')}`);
    });
  }

  it('/ready answers while 10 oversized uploads keep arriving (from another process)', async () => {
    await (await fetch(`${s.url}/ready`)).text(); // the process's first fetch loads undici: not the server's time
    const alone = performance.now();
    await (await fetch(`${s.url}/ready`)).text();
    const aloneMs = performance.now() - alone;
    // The uploads come from a child process so that sending them does not share the server's event loop.
    const uploader = spawn(process.execPath, ['-e', UPLOADER, s.url, String(2 * MiB)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const statuses: string[] = [];
    uploader.stdout.setEncoding('utf8').on('data', (d: string) => statuses.push(...d.split(/\s+/).filter(Boolean)));
    try {
      while (statuses.length < 10) await delay(20); // the first round has been answered: uploads are flowing
      const times: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t = performance.now();
        const ready = await fetch(`${s.url}/ready`);
        await ready.text();
        times.push(performance.now() - t);
        assert.equal(ready.status, 200);
      }
      times.sort((a, b) => a - b);
      console.log(`/ready alone ${aloneMs.toFixed(1)} ms; during uploads median ${times[5]!.toFixed(1)} ms, max ${times[9]!.toFixed(1)} ms (${statuses.length} uploads answered so far)`);
      assert.ok(times[5]! < 1_000, `/ready median ${times[5]!.toFixed(0)} ms`);
    } finally {
      uploader.kill();
    }
    assert.ok(statuses.every((st) => st === '413'), `statuses: ${[...new Set(statuses)].join(', ')}`);
  });

  it('a body within the limit still works on the API', async () => {
    const content = 'x'.repeat(200_000);
    const m = await s.call('memory.create', { tree: '/edge', content });
    assert.equal((await s.call('memory.get', { id: m.id })).content.length, content.length);
  });
});

describe('the JSON-RPC envelope', () => {
  const rpc = async (body: string) => (await s.post('/api/v1/memory/rpc', body, { authorization: `Bearer ${s.key}` })).json() as Promise<any>;

  it('an id that is an object or an array is an invalid request', async () => {
    for (const id of ['{"a":1}', '[1]']) {
      const res = await rpc(`{"jsonrpc":"2.0","id":${id},"method":"memory.count","params":{}}`);
      assert.equal(res.error.code, -32600, id);
      assert.equal(res.error.data.reason, 'INVALID_REQUEST');
      assert.equal(res.id, null);
    }
  });

  it('an id that overflows (1e400) is refused, not answered as null', async () => {
    const res = await rpc('{"jsonrpc":"2.0","id":1e400,"method":"memory.count","params":{}}');
    assert.equal(res.error.code, -32600);
    assert.match(res.error.message, /"id"/);
  });

  it('every error carries a stable reason beside its code', async () => {
    const unknown = await rpc('{"jsonrpc":"2.0","id":1,"method":"memory.nope","params":{}}');
    assert.deepEqual([unknown.error.data.code, unknown.error.data.reason], ['NOT_FOUND', 'METHOD_NOT_FOUND']);
    const space = await rpc('{"jsonrpc":"2.0","id":1,"method":"memory.count","params":{"space":"nowhere"}}');
    assert.deepEqual([space.error.data.code, space.error.data.reason], ['NOT_FOUND', 'SPACE_NOT_FOUND']);
    const broken = await s.post('/api/v1/memory/rpc', '{not json', { authorization: `Bearer ${s.key}` });
    assert.equal(broken.status, 400);
    assert.equal(((await broken.json()) as any).error.data.reason, 'INVALID_JSON');
    const anonymous = await s.post('/api/v1/memory/rpc', '{}');
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as any).error.data.reason, 'LOGIN_REQUIRED');
  });
});

describe('dynamic client registration', () => {
  const register = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${s.url}/api/v1/auth/oauth2/register`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const ok = { client_name: 'Fine', redirect_uris: ['http://127.0.0.1:7/cb'], token_endpoint_auth_method: 'none' };

  it('bounds every field, with a 400 that names it', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['client_name', { client_name: 'n'.repeat(201) }],
      ['redirect_uris', { redirect_uris: Array.from({ length: 11 }, (_, i) => `http://127.0.0.1:7/cb${i}`) }],
      ['redirect_uris.0', { redirect_uris: [`http://127.0.0.1:7/${'p'.repeat(2_000)}`] }],
      ['logo_uri', { logo_uri: 'http://example.test/logo.png' }],
      ['client_uri', { client_uri: 'javascript:alert(1)' }],
      ['policy_uri', { policy_uri: 'ftp://example.test/p' }],
      ['tos_uri', { tos_uri: 'http://example.test/tos' }],
    ];
    for (const [field, change] of cases) {
      const res = await register({ ...ok, ...change });
      assert.equal(res.status, 400, field);
      const body = (await res.json()) as { error: string; error_description: string };
      assert.equal(body.error, 'invalid_client_metadata');
      assert.ok(body.error_description.startsWith(`${field}:`), `${field}: ${body.error_description}`);
    }
    const [row] = await s.services.sql<{ n: number }[]>`select count(*)::int as n from auth.oauth_client where length(name) > 200`;
    assert.equal(row!.n, 0, 'nothing oversized was stored');
  });

  it('keeps what it knows and drops the rest', async () => {
    const res = await register({ ...ok, client_name: 'Tidy', logo_uri: 'https://example.test/logo.png', stash: 'x'.repeat(10_000) });
    assert.equal(res.status, 201);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.client_name, 'Tidy');
    assert.equal(body.stash, undefined);
  });

  it('is rate limited per client address, in Postgres: a second server on the same database counts the same hits', async () => {
    await s.services.sql`delete from core.rate_limit`;
    const twin = await startTestServer({ database: s.services.db, env: { ME_TRUST_PROXY: '127.0.0.1' } });
    try {
      let refused: Response | undefined;
      for (let i = 0; i < 25 && !refused; i++) {
        const res = await (i % 2 ? register(ok) : fetch(`${twin.url}/api/v1/auth/oauth2/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ok) }));
        if (res.status === 429) refused = res;
        else assert.equal(res.status, 201);
      }
      assert.ok(refused, 'the 21st registration within a minute is refused');
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      // Behind a trusted proxy (the twin trusts 127.0.0.1), the forwarded address is the client.
      const other = await fetch(`${twin.url}/api/v1/auth/oauth2/register`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' }, body: JSON.stringify(ok) });
      assert.equal(other.status, 201, 'another client behind the trusted proxy has its own budget');
      // Without ME_TRUST_PROXY the header is anyone's to send, and is ignored.
      const spoofed = await register(ok, { 'x-forwarded-for': '198.51.100.7' });
      assert.equal(spoofed.status, 429);
    } finally {
      await twin.close();
    }
  });
});

describe('request ids', () => {
  it('every response carries X-Request-Id: the client\'s own, else a new one; on results, errors and other routes', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'space.list', params: {} });
    const mine = await s.post('/api/v1/user/rpc', body, { authorization: `Bearer ${s.key}`, 'x-request-id': 'trace-42' });
    assert.equal(mine.status, 200);
    assert.equal(mine.headers.get('x-request-id'), 'trace-42');
    assert.equal(mine.headers.get('content-type'), 'application/json');
    const fresh = await s.post('/api/v1/memory/rpc', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'memory.count', params: {} }), { authorization: `Bearer ${s.key}` });
    assert.match(fresh.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const refused = await s.post('/api/v1/memory/rpc', body, { authorization: 'Bearer me.nope' });
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.match(refused.headers.get('www-authenticate') ?? '', /^Bearer/);
    const health = await fetch(`${s.url}/health`, { headers: { 'x-request-id': 'h-1' } });
    assert.equal(health.headers.get('x-request-id'), 'h-1');
  });
});
