import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { meJson, sandbox } from '../cli/support.js';

// Client-chosen ids make memory.create and memory.batchCreate safe to retry (issue 10): the same id
// with identical fields changes nothing, with other fields it is a CONFLICT that names the id, and a
// failing batch stores none of its memories.

let s: TestServer;
before(async () => { s = await startTestServer(); });
after(async () => { await s?.close(); });

let clock = Date.UTC(2026, 0, 1);
/** A fresh uuidv7 (its time part increasing, its random part random). */
function v7(): string {
  const hex = (clock++).toString(16).padStart(12, '0') + [...crypto.getRandomValues(new Uint8Array(10))].map((b) => b.toString(16).padStart(2, '0')).join('');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const count = async (tree: string) => (await s.call('memory.count', { tree })).count as number;

describe('memory.create with an id', () => {
  it('keeps the id; the same call again is a no-op (no new version, no history event)', async () => {
    const id = v7();
    const input = { id, tree: '/ids/a', content: 'Deploys on Tuesdays', meta: { team: 'ops', n: 1 }, temporal: { start: '2026-03-01T10:00:00Z' } };
    const first = await s.call('memory.create', input);
    assert.deepEqual([first.id, first.outcome, first.version], [id, 'created', 1]);
    const again = await s.call('memory.create', input);
    assert.deepEqual([again.id, again.outcome, again.version, again.updatedAt], [id, 'unchanged', 1, first.updatedAt]);
    // Identical means equal values, not equal spelling: ltree dots, meta key order, another zone.
    const respelled = await s.call('memory.create', { id, tree: 'ids.a', content: 'Deploys on Tuesdays', meta: { n: 1, team: 'ops' }, temporal: { start: '2026-03-01T12:00:00+02:00' } });
    assert.equal(respelled.outcome, 'unchanged');
    assert.equal((await s.call('memory.history', { id })).events.length, 1);
    assert.equal(await count('/ids/a'), 1);
  });

  it('the same id with other content is a CONFLICT naming the id; ignore keeps it, replace updates it', async () => {
    const id = v7();
    await s.call('memory.create', { id, tree: '/ids/b', content: 'one' });
    for (const change of [{ content: 'two' }, { meta: { k: 1 } }, { tree: '/ids/c' }, { name: 'named' }, { temporal: { start: '2026-01-01T00:00:00Z' } }]) {
      const err = await s.fail('memory.create', { id, tree: '/ids/b', content: 'one', ...change });
      assert.equal(err.data?.code, 'CONFLICT', JSON.stringify(change));
      assert.equal(err.data?.reason, 'ID_EXISTS');
      assert.deepEqual(err.data?.ids, [id]);
      assert.match(err.message, new RegExp(`memory ${id} already exists with a different ${Object.keys(change)[0]}`));
    }
    const kept = await s.call('memory.create', { id, tree: '/ids/b', content: 'two', onConflict: 'ignore' });
    assert.deepEqual([kept.outcome, kept.content, kept.version], ['ignored', 'one', 1]);
    const replaced = await s.call('memory.create', { id, tree: '/ids/c', name: 'moved', content: 'two', onConflict: 'replace' });
    assert.deepEqual([replaced.id, replaced.outcome, replaced.path, replaced.content, replaced.version], [id, 'replaced', '/ids/c/moved', 'two', 2]);
    assert.equal(await count('/ids/b'), 0);
  });

  it('an id that is not a uuidv7 is a VALIDATION_ERROR naming the field', async () => {
    for (const id of ['42', 'not-a-uuid', '0190f3c4-5b6a-4c8d-9e0f-123456789abc', '0190f3c4-5b6a-7c8d-7e0f-123456789abc']) {
      const err = await s.fail('memory.create', { id, tree: '/ids/bad', content: 'x' });
      assert.equal(err.data?.code, 'VALIDATION_ERROR', id);
      assert.match(err.message, /id: must be a UUID version 7/, id);
    }
    assert.equal(await count('/ids/bad'), 0);
  });

  it('the id of a deleted memory is a CONFLICT saying so, until it is restored', async () => {
    const id = v7();
    await s.call('memory.create', { id, tree: '/ids/d', content: 'gone soon' });
    await s.call('memory.delete', { id });
    for (const onConflict of ['error', 'ignore', 'replace']) {
      const err = await s.fail('memory.create', { id, tree: '/ids/d', content: 'gone soon', onConflict });
      assert.equal(err.data?.reason, 'ID_DELETED', onConflict);
      assert.match(err.message, new RegExp(`memory ${id} was deleted; restore it with memory.restore`));
    }
    assert.equal(await count('/ids/d'), 0);
    await s.call('memory.restore', { ids: [id] });
    assert.equal((await s.call('memory.create', { id, tree: '/ids/d', content: 'gone soon' })).outcome, 'unchanged');
  });

  it('an id used in another space is ID_TAKEN, and says nothing about that memory', async () => {
    const id = v7();
    await s.call('memory.create', { id, tree: '/ids/e', content: 'secret plans' });
    await s.call('space.create', { slug: 'ids-other' });
    const err = await s.fail('memory.create', { id, tree: '/ids/e', content: 'secret plans' }, { space: 'ids-other' });
    assert.equal(err.data?.reason, 'ID_TAKEN');
    assert.deepEqual(err.data?.ids, [id]);
    assert.doesNotMatch(err.message, /secret|\/ids\/e/);
    assert.equal((await s.call('memory.count', {}, { space: 'ids-other' })).count, 0);
  });

  it('a new id for a path that is taken: onConflict applies to the path, and the memory there keeps its id', async () => {
    const there = await s.call('memory.create', { tree: '/ids/f', name: 'doc', content: 'v1' });
    const err = await s.fail('memory.create', { id: v7(), tree: '/ids/f', name: 'doc', content: 'v2' });
    assert.match(err.message, /a memory already exists at \/ids\/f\/doc/);
    const r = await s.call('memory.create', { id: v7(), tree: '/ids/f', name: 'doc', content: 'v2', onConflict: 'replace' });
    assert.deepEqual([r.id, r.outcome, r.content], [there.id, 'replaced', 'v2']);
  });
});

describe('the id on every surface (one contract)', () => {
  it('the MCP tool and the CLI take it too', async () => {
    const client = new Client({ name: 'ids-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(s.url + '/mcp'), { requestInit: { headers: { authorization: `Bearer ${s.key}` } } }));
    try {
      const id = v7();
      const args = { id, tree: '/ids/mcp', content: 'from an agent' };
      const first = await client.callTool({ name: 'me_memory_create', arguments: args }) as any;
      const again = await client.callTool({ name: 'me_memory_create', arguments: args }) as any;
      assert.deepEqual([first.structuredContent.id, first.structuredContent.outcome, again.structuredContent.outcome], [id, 'created', 'unchanged']);
      const bad = await client.callTool({ name: 'me_memory_create', arguments: { ...args, id: 'x' } }) as any;
      assert.equal(bad.isError, true);
    } finally {
      await client.close();
    }
    const box = sandbox();
    try {
      const env = { ...box.env, ME_SERVER: s.url, ME_API_KEY: s.key };
      const id = v7();
      const cli = await meJson(['remember', 'from the shell', '--tree', '/ids/cli', '--id', id], { env });
      const retry = await meJson(['remember', 'from the shell', '--tree', '/ids/cli', '--id', id], { env });
      assert.deepEqual([cli.id, cli.outcome, retry.outcome], [id, 'created', 'unchanged']);
    } finally {
      box.cleanup();
    }
    assert.equal(await count('/ids/mcp') + await count('/ids/cli'), 2);
  });
});

describe('the same call sent several times at once (a retry before the first answer)', () => {
  it('stores one memory and no call fails', async () => {
    const input = { id: v7(), tree: '/ids/race', content: 'once' };
    const results = await Promise.all(Array.from({ length: 8 }, () => s.call('memory.create', input)));
    assert.deepEqual(results.map((r) => r.outcome).sort(), ['created', ...Array(7).fill('unchanged')]);
    const memories = Array.from({ length: 30 }, (_, i) => ({ id: v7(), tree: '/ids/race', content: `batch ${i}` }));
    const batches = await Promise.all(Array.from({ length: 6 }, () => s.call('memory.batchCreate', { memories })));
    assert.equal(batches.reduce((n, b) => n + b.created, 0), 30);
    assert.equal(batches.reduce((n, b) => n + b.unchanged, 0), 150);
    assert.equal(await count('/ids/race'), 31);
  });
});

describe('memory.batchCreate with ids', () => {
  it('a retried batch stores nothing twice; the counts say what happened', async () => {
    const memories = Array.from({ length: 50 }, (_, i) => ({ id: v7(), tree: '/idb/retry', content: `unnamed ${i}`, ...(i % 5 === 0 ? { name: `n${i}` } : {}) }));
    const first = await s.call('memory.batchCreate', { memories });
    assert.equal(first.created, 50);
    assert.deepEqual(first.ids, memories.map((m) => m.id));
    const again = await s.call('memory.batchCreate', { memories });
    assert.deepEqual([again.created, again.replaced, again.ignored, again.unchanged], [0, 0, 0, 50]);
    assert.deepEqual(again.ids, first.ids);
    // Half old, half new: the old ones are unchanged, the new ones created.
    const more = [...memories.slice(25), ...Array.from({ length: 25 }, (_, i) => ({ id: v7(), tree: '/idb/retry', content: `more ${i}` }))];
    const mixed = await s.call('memory.batchCreate', { memories: more });
    assert.deepEqual([mixed.created, mixed.unchanged], [25, 25]);
    assert.equal(await count('/idb/retry'), 75);
  });

  it('a batch with one bad id stores none of its memories', async () => {
    const existing = v7();
    await s.call('memory.batchCreate', { memories: [{ id: existing, tree: '/idb/atomic', content: 'first' }] });
    const fresh = [v7(), v7()];
    const conflict = await s.fail('memory.batchCreate', {
      memories: [{ id: fresh[0], tree: '/idb/atomic', content: 'a' }, { id: existing, tree: '/idb/atomic', content: 'changed' }, { id: fresh[1], tree: '/idb/atomic', content: 'b' }, { tree: '/idb/atomic', content: 'no id' }],
    });
    assert.equal(conflict.data?.reason, 'ID_EXISTS');
    assert.deepEqual(conflict.data?.ids, [existing]);
    assert.match(conflict.message, /nothing was stored/);
    assert.equal(await count('/idb/atomic'), 1);
    for (const id of fresh) assert.equal((await s.fail('memory.get', { id })).data?.code, 'NOT_FOUND');

    const invalid = await s.fail('memory.batchCreate', { memories: [{ id: v7(), tree: '/idb/atomic', content: 'a' }, { id: 'nope', tree: '/idb/atomic', content: 'b' }] });
    assert.equal(invalid.data?.code, 'VALIDATION_ERROR');
    assert.match(invalid.message, /memories\.1\.id: must be a UUID version 7/);
    const twice = await s.fail('memory.batchCreate', { memories: [{ id: fresh[0], tree: '/idb/atomic', content: 'a' }, { id: fresh[0], tree: '/idb/atomic', content: 'a' }] });
    assert.match(twice.message, new RegExp(`memories\\[1\\]: id ${fresh[0]} appears twice in this batch`));
    // A later failure (a taken path) undoes the memories with ids stored before it in the same call.
    await s.call('memory.create', { tree: '/idb/atomic', name: 'taken', content: 'here' });
    const path = await s.fail('memory.batchCreate', { memories: [{ id: fresh[0], tree: '/idb/atomic', content: 'a' }, { id: fresh[1], tree: '/idb/atomic', name: 'taken', content: 'mine' }] });
    assert.equal(path.data?.code, 'CONFLICT');
    assert.equal(await count('/idb/atomic'), 2);
    assert.equal((await s.fail('memory.get', { id: fresh[0] })).data?.code, 'NOT_FOUND');
  });

  it('replace and ignore apply to ids with other content; deleted and foreign ids fail the whole batch', async () => {
    const [a, b, c] = [v7(), v7(), v7()];
    await s.call('memory.batchCreate', { memories: [{ id: a, tree: '/idb/mode', content: 'a1' }, { id: b, tree: '/idb/mode', content: 'b1' }, { id: c, tree: '/idb/mode', content: 'c1' }] });
    const ignored = await s.call('memory.batchCreate', { onConflict: 'ignore', memories: [{ id: a, tree: '/idb/mode', content: 'a2' }, { id: b, tree: '/idb/mode', content: 'b1' }] });
    assert.deepEqual([ignored.ignored, ignored.unchanged], [1, 1]);
    const replaced = await s.call('memory.batchCreate', { onConflict: 'replace', memories: [{ id: a, tree: '/idb/mode', content: 'a2' }, { id: b, tree: '/idb/mode', content: 'b1' }] });
    assert.deepEqual([replaced.replaced, replaced.unchanged], [1, 1]);
    assert.equal((await s.call('memory.get', { id: a })).content, 'a2');
    await s.call('memory.delete', { id: c });
    const deleted = await s.fail('memory.batchCreate', { onConflict: 'ignore', memories: [{ id: v7(), tree: '/idb/mode', content: 'new' }, { id: c, tree: '/idb/mode', content: 'c1' }] });
    assert.equal(deleted.data?.reason, 'ID_DELETED');
    assert.deepEqual(deleted.data?.ids, [c]);
    const foreign = await s.fail('memory.batchCreate', { memories: [{ id: v7(), tree: '/x', content: 'new' }, { id: a, tree: '/idb/mode', content: 'a2' }] }, { space: 'ids-other' });
    assert.equal(foreign.data?.reason, 'ID_TAKEN');
    assert.equal(await count('/idb/mode'), 2);
    assert.equal((await s.call('memory.count', {}, { space: 'ids-other' })).count, 0);
  });
});
