import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';

// Keyword search finds a subtree through the ancestor hashes in the full-text index (migration
// 0005): the boundaries must be exactly ltree's, including after a memory moves.
let s: TestServer;
before(async () => { s = await startTestServer(); });
after(async () => { await s?.close(); });

const trees = async (params: Record<string, unknown>) =>
  ((await s.call('memory.search', { query: 'lighthouse', mode: 'keyword', limit: 100, ...params })).results as { tree: string }[])
    .map((r) => r.tree).sort();

it('matches a subtree exactly: itself and below, not siblings sharing a prefix', async () => {
  await s.call('memory.batchCreate', {
    memories: ['/', '/a', '/a/b', '/a/b/c', '/a/bc', '/ab', '/x/a/b'].map((tree) => ({ tree, content: `the lighthouse keeper at ${tree}` })),
  });
  assert.deepEqual(await trees({ tree: '/a/b' }), ['/a/b', '/a/b/c']);
  assert.deepEqual(await trees({ tree: '/a' }), ['/a', '/a/b', '/a/b/c', '/a/bc']);
  assert.deepEqual(await trees({ tree: 'a.b.c' }), ['/a/b/c']);
  assert.deepEqual(await trees({ tree: '/' }), ['/', '/a', '/a/b', '/a/b/c', '/a/bc', '/ab', '/x/a/b']);
  assert.deepEqual(await trees({ tree: '/a/b', exactTree: true }), ['/a/b']);
  assert.deepEqual(await trees({ tree: '/nothing' }), []);
});

it('follows memories that move', async () => {
  await s.call('memory.move', { from: '/a/b', to: '/moved' });
  assert.deepEqual(await trees({ tree: '/a/b' }), []);
  assert.deepEqual(await trees({ tree: '/moved' }), ['/moved', '/moved/c']);
  const [one] = (await s.call('memory.search', { query: 'lighthouse', mode: 'keyword', tree: '/ab', fields: ['version'] })).results;
  await s.call('memory.update', { id: one.id, version: one.version, tree: '/moved/deeper/still' });
  assert.deepEqual(await trees({ tree: '/moved/deeper' }), ['/moved/deeper/still']);
  assert.deepEqual(await trees({ tree: '/ab' }), []);
});
