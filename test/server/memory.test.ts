import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
before(async () => { s = await startTestServer(); });
after(async () => { await s?.close(); });

describe('memory CRUD', () => {
  it('creates, reads by id and path, in /a/b and a.b form', async () => {
    const m = await s.call('memory.create', { tree: 'projects.alpha', name: 'decisions', content: 'Use Postgres.', meta: { kind: 'adr' } });
    assert.equal(m.outcome, 'created');
    assert.equal(m.tree, '/projects/alpha');
    assert.equal(m.path, '/projects/alpha/decisions');
    assert.equal(m.version, 1);
    const byId = await s.call('memory.get', { id: m.id });
    assert.equal(byId.content, 'Use Postgres.');
    const byPath = await s.call('memory.getByPath', { path: '/projects/alpha/decisions' });
    assert.equal(byPath.id, m.id);
    assert.deepEqual(byPath.meta, { kind: 'adr' });
  });

  it('named conflicts: error, ignore, replace', async () => {
    const base = { tree: '/c', name: 'n', content: 'one' };
    const first = await s.call('memory.create', base);
    const err = await s.fail('memory.create', { ...base, content: 'two' });
    assert.equal(err.data?.code, 'CONFLICT');
    assert.match(err.message, /\/c\/n/);
    const ignored = await s.call('memory.create', { ...base, content: 'two', onConflict: 'ignore' });
    assert.equal(ignored.outcome, 'ignored');
    assert.equal(ignored.content, 'one');
    const replaced = await s.call('memory.create', { ...base, content: 'three', onConflict: 'replace' });
    assert.equal(replaced.outcome, 'replaced');
    assert.equal(replaced.id, first.id);
    assert.equal(replaced.version, 2);
  });

  it('update needs the current version; a stale one is a CONFLICT that changes nothing', async () => {
    const m = await s.call('memory.create', { tree: '/u', content: 'v1' });
    const u = await s.call('memory.update', { id: m.id, version: 1, content: 'v2', temporal: { start: '2025-01-01T00:00:00Z' } });
    assert.equal(u.version, 2);
    assert.deepEqual(u.temporal, { start: '2025-01-01T00:00:00.000Z', end: null });
    const stale = await s.fail('memory.update', { id: m.id, version: 1, content: 'lost?' });
    assert.equal(stale.data?.code, 'CONFLICT');
    assert.equal(stale.data?.currentVersion, 2);
    assert.equal((await s.call('memory.get', { id: m.id })).content, 'v2');
  });

  it('history records every change and revert restores (including undelete)', async () => {
    const m = await s.call('memory.create', { tree: '/h', name: 'doc', content: 'first' });
    await s.call('memory.update', { id: m.id, version: 1, content: 'second' });
    await s.call('memory.delete', { id: m.id });
    assert.equal((await s.fail('memory.get', { id: m.id })).data?.code, 'NOT_FOUND');
    const h = await s.call('memory.history', { id: m.id });
    assert.deepEqual(h.events.map((e: any) => [e.op, e.version]), [['delete', 2], ['update', 2], ['insert', 1]]);
    assert.equal(h.events[2].snapshot.content, 'first');
    assert.ok(h.events[0].actor);
    const back = await s.call('memory.revert', { id: m.id, version: 1 });
    assert.equal(back.id, m.id);
    assert.equal(back.content, 'first');
    assert.equal(back.version, 3);
    assert.equal((await s.call('memory.getByPath', { path: '/h/doc' })).content, 'first');
    const paged = await s.call('memory.history', { id: m.id, limit: 2 });
    assert.equal(paged.events.length, 2);
    const rest = await s.call('memory.history', { id: m.id, limit: 2, cursor: paged.nextCursor });
    assert.equal(rest.events.length, 2);
    assert.equal(rest.nextCursor, null);
  });

  it('tree, count, move, copy and deleteTree (with dry runs)', async () => {
    await s.call('memory.batchCreate', {
      memories: [
        { tree: '/t/a', content: 'a1' }, { tree: '/t/a/x', content: 'ax' }, { tree: '/t/b', content: 'b1', name: 'bee' },
      ],
    });
    const tree = await s.call('memory.tree', { tree: '/t', levels: 2 });
    assert.equal(tree.count, 3);
    assert.deepEqual(tree.children, [{ path: '/t/a', count: 2 }, { path: '/t/a/x', count: 1 }, { path: '/t/b', count: 1 }]);
    assert.deepEqual(await s.call('memory.move', { from: '/t/a', to: '/t/z', dryRun: true }), { count: 2, dryRun: true });
    assert.equal((await s.call('memory.count', { tree: '/t/a' })).count, 2);
    assert.deepEqual(await s.call('memory.move', { from: '/t/a', to: '/t/z' }), { count: 2, dryRun: false });
    assert.equal((await s.call('memory.count', { tree: '/t/z' })).count, 2);
    assert.deepEqual(await s.call('memory.copy', { from: '/t/b', to: '/t/c' }), { count: 1, dryRun: false });
    assert.equal((await s.call('memory.getByPath', { path: '/t/c/bee' })).content, 'b1');
    const clash = await s.fail('memory.copy', { from: '/t/b', to: '/t/c' });
    assert.equal(clash.data?.code, 'CONFLICT');
    assert.equal((await s.call('memory.count', { tree: '/t/c' })).count, 1);
    assert.deepEqual(await s.call('memory.deleteTree', { tree: '/t', dryRun: true }), { count: 4, dryRun: true, ids: [] });
    const deleted = await s.call('memory.deleteTree', { tree: '/t' });
    assert.deepEqual([deleted.count, deleted.dryRun, deleted.ids.length], [4, false, 4]);
    assert.equal((await s.call('memory.count', { tree: '/t' })).count, 0);
    assert.equal((await s.fail('memory.deleteTree', { tree: '/' })).data?.code, 'VALIDATION_ERROR');
  });

  it('batchCreate is all-or-nothing', async () => {
    await s.call('memory.create', { tree: '/batch', name: 'taken', content: 'x' });
    const err = await s.fail('memory.batchCreate', {
      memories: [{ tree: '/batch', content: 'ok' }, { tree: '/batch', name: 'taken', content: 'clash' }],
    });
    assert.equal(err.data?.code, 'CONFLICT');
    assert.equal((await s.call('memory.count', { tree: '/batch' })).count, 1);
    const r = await s.call('memory.batchCreate', {
      onConflict: 'ignore',
      memories: [{ tree: '/batch', content: 'ok' }, { tree: '/batch', name: 'taken', content: 'clash' }],
    });
    assert.equal(r.created, 1);
    assert.equal(r.ignored, 1);
    assert.equal(r.ids.length, 2);
    assert.equal((await s.call('memory.get', { id: r.ids[1] })).content, 'x');
  });
});

describe('keyword search', () => {
  before(async () => {
    await s.call('memory.batchCreate', {
      memories: [
        { tree: '/kb/db', content: 'Postgres uses MVCC for concurrency control', meta: { topic: 'db', priority: 3 }, temporal: { start: '2024-01-01T00:00:00Z', end: '2024-02-01T00:00:00Z' } },
        { tree: '/kb/db', content: 'SQLite is an embedded database engine', meta: { topic: 'db', priority: 1 } },
        { tree: '/kb/web', content: 'Postgres behind a web server with connection pooling', meta: { topic: 'web', priority: 2 } },
      ],
    });
  });

  it('ranks matches and returns highlighted snippets', async () => {
    const r = await s.call('memory.search', { query: 'postgres', tree: '/kb' });
    assert.equal(r.mode, 'keyword');
    assert.equal(r.results.length, 2);
    assert.ok(r.results.every((x: any) => x.score > 0));
    assert.match(r.results[0].snippet, /\*\*Postgres\*\*/);
    assert.equal(r.results[0].content, undefined);
  });

  it('web-search syntax: phrase, exclusion, OR', async () => {
    const phrase = await s.call('memory.search', { query: '"connection pooling"' });
    assert.equal(phrase.results.length, 1);
    const excluded = await s.call('memory.search', { query: 'postgres -mvcc', tree: '/kb' });
    assert.deepEqual(excluded.results.map((x: any) => x.tree), ['/kb/web']);
    const or = await s.call('memory.search', { query: 'sqlite OR mvcc', tree: '/kb' });
    assert.equal(or.results.length, 2);
  });

  it('filters: tree, exact tree, meta, JSONPath, temporal; fields and pagination', async () => {
    assert.equal((await s.call('memory.search', { query: 'postgres', tree: '/kb/db' })).results.length, 1);
    assert.equal((await s.call('memory.search', { tree: '/kb', exactTree: true })).results.length, 0);
    assert.equal((await s.call('memory.search', { meta: { topic: 'db' } })).results.length, 2);
    assert.equal((await s.call('memory.search', { where: '$.priority >= 2', tree: '/kb' })).results.length, 2);
    const during = await s.call('memory.search', { temporal: { contains: '2024-01-15T00:00:00Z' }, fields: ['content', 'meta', 'temporal'] });
    assert.equal(during.results.length, 1);
    assert.equal(during.results[0].content, 'Postgres uses MVCC for concurrency control');
    assert.deepEqual(during.results[0].temporal, { start: '2024-01-01T00:00:00.000Z', end: '2024-02-01T00:00:00.000Z' });
    const p1 = await s.call('memory.search', { tree: '/kb', limit: 2 });
    assert.equal(p1.results.length, 2);
    const p2 = await s.call('memory.search', { tree: '/kb', limit: 2, cursor: p1.nextCursor });
    assert.equal(p2.results.length, 1);
    assert.equal(p2.nextCursor, null);
    const bad = await s.fail('memory.search', { where: '$.priority >>> 2' });
    assert.equal(bad.data?.code, 'VALIDATION_ERROR');
    assert.match(bad.message, /JSONPath/);
  });

  it('semantic search without embeddings says what to configure', async () => {
    const err = await s.fail('memory.search', { query: 'databases', mode: 'semantic' });
    assert.equal(err.data?.code, 'UNAVAILABLE');
    assert.match(err.message, /pgvector|ME_EMBEDDING_URL/);
  });
});
