import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
let auth: Record<string, string>;
before(async () => {
  s = await startTestServer({ env: { ME_BODY_LIMIT: String(64 * 1024) } });
  auth = { authorization: `Bearer ${s.key}` };
  await s.call('memory.create', { tree: '/keep', name: 'me', content: 'must survive every bad request' });
});
after(async () => { await s?.close(); });

const rpc = (method: string, params?: unknown) => JSON.stringify({ jsonrpc: '2.0', id: 7, method, params });
const snapshot = async () => (await s.services.sql`select id, version, content from core.memory order by id`).map((r) => ({ ...r }));

describe('bad input gets a clear error and changes nothing', () => {
  let before_: unknown;
  before(async () => { before_ = await snapshot(); });
  after(async () => { assert.deepEqual(await snapshot(), before_); });

  it('malformed JSON → 400, -32700', async () => {
    const res = await s.post('/api/v1/memory/rpc', '{"jsonrpc": "2.0", "method": ', auth);
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.error.code, -32700);
    assert.match(body.error.message, /not valid JSON/);
  });

  it('not a JSON-RPC request, missing method, unknown method', async () => {
    const noMethod = await (await s.post('/api/v1/memory/rpc', JSON.stringify({ jsonrpc: '2.0', id: 1 }), auth)).json();
    assert.equal(noMethod.error.code, -32600);
    assert.match(noMethod.error.message, /"method"/);
    const unknown = await (await s.post('/api/v1/memory/rpc', rpc('memory.explode', {}), auth)).json();
    assert.equal(unknown.error.code, -32601);
    assert.match(unknown.error.message, /unknown method "memory.explode"/);
    const wrongEndpoint = await (await s.post('/api/v1/memory/rpc', rpc('space.list', {}), auth)).json();
    assert.match(wrongEndpoint.error.message, /\/api\/v1\/user\/rpc/);
  });

  it('a body over the cap → 413', async () => {
    const res = await s.post('/api/v1/memory/rpc', rpc('memory.create', { content: 'x'.repeat(70 * 1024) }), auth);
    assert.equal(res.status, 413);
    const body = await res.json();
    assert.equal(body.error.data.code, 'PAYLOAD_TOO_LARGE');
    assert.match(body.error.message, /ME_BODY_LIMIT/);
  });

  it('wrong types, bad paths, unknown parameters name the field and the rule', async () => {
    const type = await s.fail('memory.create', { content: 42 });
    assert.equal(type.data?.code, 'VALIDATION_ERROR');
    assert.match(type.message, /^content: /);
    const path = await s.fail('memory.create', { content: 'x', tree: 'a..b' });
    assert.equal(path.message, 'tree: "a..b" is not a valid path: empty label');
    const label = await s.fail('memory.count', { tree: '/a/b c' });
    assert.match(label.message, /label "b c" may only contain letters, digits and _/);
    const extra = await s.fail('memory.count', { tre: '/a' });
    assert.match(extra.message, /unknown parameter "tre"/);
    const missing = await s.fail('memory.create', {});
    assert.match(missing.message, /^content: /);
    const id = await s.fail('memory.get', { id: 'not-a-uuid' });
    assert.match(id.message, /^id: must be a memory id/);
    const notObject = await (await s.post('/api/v1/memory/rpc', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'memory.count', params: [1] }), auth)).json();
    assert.match(notObject.error.message, /named parameters/);
  });

  it('unknown space, invalid temporal range, invalid JSONPath, oversized batch', async () => {
    const space = await s.fail('memory.count', { space: 'nowhere' });
    assert.equal(space.data?.code, 'NOT_FOUND');
    assert.match(space.message, /space "nowhere"/);
    const range = await s.fail('memory.create', { content: 'x', temporal: { start: '2025-02-01T00:00:00Z', end: '2025-01-01T00:00:00Z' } });
    assert.match(range.message, /temporal.end: temporal.end must be after temporal.start/);
    const when = await s.fail('memory.create', { content: 'x', temporal: { start: 'yesterday' } });
    assert.match(when.message, /temporal.start: must be an ISO 8601 date-time/);
    const jsonpath = await s.fail('memory.search', { where: '$.a ==' });
    assert.match(jsonpath.message, /where: .* is not a valid JSONPath/);
    const batch = await s.fail('memory.batchCreate', { memories: Array.from({ length: 1001 }, () => ({ content: 'x' })) });
    assert.match(batch.message, /at most 1000 memories/);
    const stale = await s.fail('memory.update', { id: (await s.call('memory.getByPath', { path: '/keep/me' })).id, version: 9, content: 'no' });
    assert.equal(stale.data?.code, 'CONFLICT');
  });

  it('no credential → 401 with a challenge; wrong content type → 415', async () => {
    const res = await s.post('/api/v1/memory/rpc', rpc('memory.count', {}));
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /Bearer/);
    const text = await fetch(s.url + '/api/v1/memory/rpc', { method: 'POST', body: rpc('memory.count', {}), headers: { ...auth, 'content-type': 'text/plain' } });
    assert.equal(text.status, 415);
  });
});
