import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
let auth: Record<string, string>;
before(async () => {
  s = await startTestServer({ env: { ME_BODY_LIMIT: String(512 * 1024) } });
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
    const res = await s.post('/api/v1/memory/rpc', rpc('memory.create', { content: 'x'.repeat(600 * 1024) }), auth);
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

  it('a NUL or a lone surrogate in any string is refused, naming the field', async () => {
    const id = (await s.call('memory.getByPath', { path: '/keep/me' })).id;
    const principal = (await s.call('whoami')).id;
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['memory.create', { content: 'a\u0000b' }, /^content: contains a NUL character/],
      ['memory.create', { content: 'x', meta: { 'k\u0000': 1 } }, /^meta\.k\u0000: key contains a NUL character/],
      ['memory.create', { content: 'x', meta: { k: ['ok', 'v\u0000'] } }, /^meta\.k\.1: contains a NUL character/],
      ['memory.create', { content: 'x', meta: { k: '\ud800' } }, /^meta\.k: contains a lone UTF-16 surrogate/],
      ['memory.create', { content: 'x\udc00y' }, /^content: contains a lone UTF-16 surrogate/],
      ['memory.search', { query: 'a\u0000' }, /^query: contains a NUL/],
      ['memory.count', { space: 'a\u0000' }, /^space: contains a NUL/],
      ['embeddings.status', { space: 'a\u0000' }, /^space: contains a NUL/],
      ['grant.set', { space: 'a\u0000', principal, tree: '/', level: 'read' }, /^space: contains a NUL/],
      ['memory.deleteByPath', { space: 'a\u0000', path: '/keep/me' }, /^space: contains a NUL/],
      ['memory.update', { id, version: 1, meta: { a: '\u0000' } }, /^meta\.a: contains a NUL/],
    ];
    for (const [method, params, message] of cases) {
      const err = await s.fail(method, params);
      assert.equal(err.data?.code, 'VALIDATION_ERROR', `${method} ${err.message}`);
      assert.match(err.message, message);
    }
    // A well-formed pair (an emoji) is fine.
    const emoji = await s.call('memory.create', { tree: '/scratch', content: 'ok 😀', meta: { e: '😀' } });
    assert.equal((await s.call('memory.get', { id: emoji.id })).content, 'ok 😀');
    await s.call('memory.delete', { id: emoji.id });
  });

  it('numbers and dates out of the range Postgres stores', async () => {
    const id = (await s.call('memory.getByPath', { path: '/keep/me' })).id;
    const revert = await s.fail('memory.revert', { id, version: 1099511627776 });
    assert.equal(revert.data?.code, 'VALIDATION_ERROR');
    assert.match(revert.message, /^version: must be at most 2147483647/);
    const update = await s.fail('memory.update', { id, version: 2 ** 31, content: 'no' });
    assert.match(update.message, /^version: must be at most 2147483647/);
    for (const start of ['0000-01-01T00:00:00Z', '0001-01-01T00:00:00+01:00', '9999-12-31T23:59:59-01:00']) {
      const err = await s.fail('memory.create', { content: 'x', temporal: { start } });
      assert.equal(err.data?.code, 'VALIDATION_ERROR', start);
      assert.match(err.message, /temporal\.start: must lie in the years 0001 to 9999/);
    }
    const filter = await s.fail('memory.search', { temporal: { before: '0000-06-01T00:00:00Z' } });
    assert.match(filter.message, /temporal\.before: must lie in the years 0001 to 9999/);
    const edge = await s.call('memory.create', { tree: '/scratch', content: 'x', temporal: { start: '0001-01-01T00:00:00Z', end: '9999-12-31T23:59:59Z' } });
    assert.deepEqual(edge.temporal, { start: '0001-01-01T00:00:00.000Z', end: '9999-12-31T23:59:59.000Z' });
    await s.call('memory.delete', { id: edge.id });
  });

  it('meta beyond its limits: too deep (even 50,000 levels), too many values, too large', async () => {
    const deep = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000);
    const res = await s.post('/api/v1/memory/rpc', `{"jsonrpc":"2.0","id":1,"method":"memory.create","params":{"content":"x","meta":${deep}}}`, auth);
    const body = await res.json();
    assert.equal(body.error.data.code, 'VALIDATION_ERROR');
    assert.match(body.error.message, /^meta(\.a){33}: is nested more than 32 levels deep/);
    const many = await s.fail('memory.create', { content: 'x', meta: { a: Array.from({ length: 10_001 }, () => 1) } });
    assert.match(many.message, /^meta: holds more than 10,000 values/);
    const large = await s.fail('memory.create', { content: 'x', meta: { a: 'x'.repeat(70_000) } });
    assert.match(large.message, /^meta: is 70,008 bytes as JSON; at most 65,536/);
    const huge = await s.post('/api/v1/memory/rpc', '{"jsonrpc":"2.0","id":1,"method":"memory.create","params":{"content":"x","meta":{"n":1e400}}}', auth);
    assert.match((await huge.json()).error.message, /^meta\.n: is a number too large to store/);
    const notObject = await s.fail('memory.create', { content: 'x', meta: [1] });
    assert.match(notObject.message, /^meta: must be a JSON object/);
    // At the limits it is stored and read back as sent.
    let nested: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 31; i++) nested = { n: nested };
    const ok = await s.call('memory.create', { tree: '/scratch', content: 'x', meta: nested });
    assert.deepEqual((await s.call('memory.get', { id: ok.id })).meta, nested);
    await s.call('memory.delete', { id: ok.id });
  });

  it('a tree path too long for the index is refused up front', async () => {
    const label = 'a'.repeat(59);
    const err = await s.fail('memory.create', { content: 'x', name: 'n', tree: '/' + Array(30).fill(label).join('/') });
    assert.equal(err.data?.code, 'VALIDATION_ERROR');
    assert.match(err.message, /^tree: a path may hold at most 1500 characters/);
    const longest = '/' + Array(25).fill(label).join('/');
    const stored = await s.call('memory.create', { content: 'x', name: 'n'.repeat(128), tree: longest });
    assert.equal(stored.tree, longest);
    // A move may not push paths past the limit either (Postgres would refuse the index entry).
    const moved = await s.fail('memory.move', { from: longest.slice(0, 61), to: '/' + Array(10).fill(label).join('/') });
    assert.equal(moved.data?.code, 'VALIDATION_ERROR');
    assert.match(moved.message, /^to: under .* some paths would exceed 64 levels or 1500 characters/);
    await s.call('memory.delete', { id: stored.id });
  });

  it('a tampered or foreign cursor is INVALID_CURSOR', async () => {
    const b64 = (x: string) => Buffer.from(x).toString('base64url');
    const id = (await s.call('memory.getByPath', { path: '/keep/me' })).id;
    for (const [method, params] of [
      ['memory.search', { query: 'survive', cursor: b64('o:-5') }],
      ['memory.search', { query: 'survive', cursor: b64('o:99999999999999999999') }],
      ['memory.search', { query: 'survive', cursor: b64('o:1; drop') }],
      ['memory.search', { cursor: b64("l:not-a-uuid'") }],
      ['memory.search', { cursor: 'not base64 at all!' }],
      ['memory.history', { id, cursor: b64('h:99999999999999999999') }],
    ] as const) {
      const err = await s.fail(method, params);
      assert.equal(err.data?.reason, 'INVALID_CURSOR', `${method} ${JSON.stringify(params)}: ${err.message}`);
      assert.match(err.message, /^invalid cursor: start the listing again without it/);
    }
    await s.call('memory.batchCreate', { memories: Array.from({ length: 3 }, (_, i) => ({ tree: '/paged', content: `page item ${i}` })) });
    const first = await s.call('memory.search', { tree: '/paged', limit: 1 });
    assert.ok(first.nextCursor);
    assert.equal((await s.call('memory.search', { tree: '/paged', limit: 1, cursor: first.nextCursor })).results.length, 1);
    const foreign = await s.fail('memory.search', { tree: '/keep', limit: 1, cursor: first.nextCursor });
    assert.equal(foreign.data?.reason, 'INVALID_CURSOR', 'a cursor from another listing');
    await s.call('memory.deleteTree', { tree: '/paged' });
  });

  it('where: unbounded JSONPath is refused up front; Postgres errors are reported with its reason', async () => {
    for (const where of ['$.a == $x', '$.a[*] ? (@ == $.b[*])', '$.a[*] ? (exists($.b[*] ? (@ == $.a[*])))', '$.**.a == 1', '$.a == ' + '1'.repeat(1000)]) {
      const err = await s.fail('memory.search', { where });
      assert.equal(err.data?.code, 'VALIDATION_ERROR', where);
      assert.equal(err.data?.reason, 'INVALID_JSONPATH', `${where.slice(0, 40)}: ${err.message}`);
    }
    const parse = await s.fail('memory.search', { where: '$.a ==' });
    assert.equal(parse.data?.reason, 'INVALID_JSONPATH');
    const tagged = await s.call('memory.create', { tree: '/scratch', content: 'x', meta: { tag: 'x' } });
    const runtime = await s.fail('memory.search', { where: '$.tag.datetime("bogus %") == "x"' });
    assert.equal(runtime.data?.reason, 'INVALID_JSONPATH');
    assert.match(runtime.message, /invalid datetime format/);
    await s.call('memory.delete', { id: tagged.id });
  });

  it('no credential → 401 with a challenge; wrong content type → 415', async () => {
    const res = await s.post('/api/v1/memory/rpc', rpc('memory.count', {}));
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /Bearer/);
    const text = await fetch(s.url + '/api/v1/memory/rpc', { method: 'POST', body: rpc('memory.count', {}), headers: { ...auth, 'content-type': 'text/plain' } });
    assert.equal(text.status, 415);
  });
});
