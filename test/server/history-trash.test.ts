import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { principalWithKey } from '../support/principals.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The activity feed (memory.history by path and by tree), the trash and restore.
let s: TestServer;
let reader: { id: string; key: string };
before(async () => {
  s = await startTestServer();
  reader = await principalWithKey(s, 'Rita Reader');
  await s.call('grant.set', { principal: reader.id, tree: '/shared', level: 'read' });
});
after(async () => { await s?.close(); });

const paths = (r: { items: { path: string }[] }) => r.items.map((i) => i.path);

describe('memory.history by path and by tree', () => {
  it('by path: the memory last there, also once it is deleted', async () => {
    const m = await s.call('memory.create', { tree: '/p', name: 'doc', content: 'first' });
    await s.call('memory.update', { id: m.id, version: 1, content: 'second' });
    await s.call('memory.deleteByPath', { path: '/p/doc' });
    const h = await s.call('memory.history', { path: '/p/doc' });
    assert.deepEqual(h.events.map((e: any) => [e.op, e.version, e.memoryId]), [['delete', 2, m.id], ['update', 2, m.id], ['insert', 1, m.id]]);
    assert.equal(h.events[2].snapshot.content, 'first');
    assert.equal(h.events[0].actorName, 'owner', 'actor names, not only ids');
    assert.equal((await s.fail('memory.history', { path: '/p/never' })).data?.code, 'NOT_FOUND');
    assert.equal((await s.fail('memory.history', { id: m.id, path: '/p/doc' })).data?.code, 'VALIDATION_ERROR');
  });

  it('by tree: every change below it, newest first, paged, with snippets and a time window', async () => {
    const a = await s.call('memory.create', { tree: '/feed/a', content: 'alpha '.repeat(100) });
    const b = await s.call('memory.create', { tree: '/feed/b', name: 'bee', content: 'beta' });
    await s.call('memory.create', { tree: '/elsewhere', content: 'not in the feed' });
    const mark = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await s.call('memory.update', { id: b.id, version: 1, content: 'beta 2' });
    await s.call('memory.delete', { id: a.id });
    const all = await s.call('memory.history', { tree: '/feed' });
    assert.deepEqual(all.events.map((e: any) => [e.op, e.snapshot.path]), [['delete', '/feed/a'], ['update', '/feed/b/bee'], ['insert', '/feed/b/bee'], ['insert', '/feed/a']]);
    assert.equal(all.events[0].snapshot.content, undefined, 'the feed carries snippets, not full content');
    assert.equal(all.events[0].snapshot.snippet.length, 200);
    const page1 = await s.call('memory.history', { tree: '/feed', limit: 3 });
    const page2 = await s.call('memory.history', { tree: '/feed', limit: 3, cursor: page1.nextCursor });
    assert.deepEqual([...page1.events, ...page2.events].map((e: any) => e.snapshot.path), all.events.map((e: any) => e.snapshot.path));
    assert.equal(page2.nextCursor, null);
    const recent = await s.call('memory.history', { tree: '/feed', since: mark });
    assert.deepEqual(recent.events.map((e: any) => e.op), ['delete', 'update']);
    const older = await s.call('memory.history', { tree: '/feed', until: mark });
    assert.deepEqual(older.events.map((e: any) => e.op), ['insert', 'insert']);
    const bad = await s.fail('memory.history', { tree: '/feed', cursor: 'bm9wZQ' });
    assert.equal(bad.data?.reason, 'INVALID_CURSOR');
  });

  it('the feed shows a reader only the trees they may read', async () => {
    await s.call('memory.create', { tree: '/shared/notes', content: 'visible' });
    await s.call('memory.create', { tree: '/secret', content: 'hidden' });
    const feed = await s.call('memory.history', { tree: '/' }, { key: reader.key });
    assert.ok(feed.events.length > 0);
    assert.ok(feed.events.every((e: any) => e.snapshot.tree.startsWith('/shared')), 'nothing outside /shared');
  });
});

describe('trash and restore', () => {
  it('rm -r returns the ids it removed; the trash lists them; restore by tree brings them back', async () => {
    const made = await s.call('memory.batchCreate', { memories: [
      { tree: '/scratch', content: 'one', name: 'one' }, { tree: '/scratch/deep', content: 'two' }, { tree: '/scratch', content: 'three', meta: { k: 1 }, temporal: { start: '2025-01-01T00:00:00Z', end: '2025-02-01T00:00:00Z' } },
    ] });
    const before = new Date().toISOString();
    const del = await s.call('memory.deleteTree', { tree: '/scratch' });
    assert.equal(del.count, 3);
    assert.deepEqual([...del.ids].sort(), [...made.ids].sort());
    const trash = await s.call('memory.trash', { tree: '/scratch' });
    assert.equal(trash.items.length, 3);
    assert.equal(trash.items[0].deletedByName, 'owner');
    assert.ok(trash.items.every((i: any) => i.operationId && i.operationId === trash.items[0].operationId), 'one rm -r is one operation');
    assert.ok(paths(trash).includes('/scratch/one'));
    assert.equal(trash.items.find((i: any) => i.path === '/scratch/one').snippet, 'one');

    const dry = await s.call('memory.restore', { tree: '/scratch', since: before, dryRun: true });
    assert.equal(dry.count, 3);
    assert.equal((await s.call('memory.count', { tree: '/scratch' })).count, 0, 'a dry run restores nothing');
    const back = await s.call('memory.restore', { tree: '/scratch', since: before });
    assert.equal(back.count, 3);
    assert.equal((await s.call('memory.count', { tree: '/scratch' })).count, 3);
    const three = await s.call('memory.get', { id: made.ids[2] });
    assert.deepEqual([three.content, three.meta, three.temporal, three.version], ['three', { k: 1 }, { start: '2025-01-01T00:00:00.000Z', end: '2025-02-01T00:00:00.000Z' }, 2]);
    assert.equal((await s.call('memory.trash', { tree: '/scratch' })).items.length, 0, 'restored memories leave the trash');
    const h = await s.call('memory.history', { id: made.ids[0] });
    assert.deepEqual(h.events.map((e: any) => e.op), ['insert', 'delete', 'insert']);
  });

  it('restore by id and by path; errors change nothing', async () => {
    const m = await s.call('memory.create', { tree: '/r', name: 'n', content: 'original' });
    const u = await s.call('memory.create', { tree: '/r', content: 'unnamed' });
    await s.call('memory.delete', { id: m.id });
    await s.call('memory.delete', { id: u.id });
    const taker = await s.call('memory.create', { tree: '/r', name: 'n', content: 'took the path' });
    const conflict = await s.fail('memory.restore', { ids: [u.id, m.id] });
    assert.equal(conflict.data?.code, 'CONFLICT');
    assert.match(conflict.message, /\/r\/n/);
    assert.equal((await s.fail('memory.get', { id: u.id })).data?.code, 'NOT_FOUND', 'all or nothing');
    await s.call('memory.delete', { id: taker.id });
    // Two deleted memories had /r/n: by path, the one deleted last comes back.
    const byPath = await s.call('memory.restore', { path: '/r/n' });
    assert.deepEqual(byPath.restored.map((r: any) => r.id), [taker.id]);
    await s.call('memory.delete', { id: taker.id });
    const byIds = await s.call('memory.restore', { ids: [m.id, u.id] });
    assert.equal(byIds.count, 2);
    assert.equal((await s.call('memory.getByPath', { path: '/r/n' })).content, 'original');
    const again = await s.fail('memory.restore', { ids: [m.id] });
    assert.equal(again.data?.code, 'NOT_FOUND', 'a memory not in the trash');
    assert.equal((await s.fail('memory.restore', { path: '/r/none' })).data?.code, 'NOT_FOUND');
    assert.equal((await s.fail('memory.restore', { tree: '/r', ids: [m.id] })).data?.code, 'VALIDATION_ERROR');
  });

  it('a reader sees the trash of what they may read, and may not restore', async () => {
    const shared = await s.call('memory.create', { tree: '/shared/t', content: 'shared and deleted' });
    const secret = await s.call('memory.create', { tree: '/secret/t', content: 'secret and deleted' });
    await s.call('memory.delete', { id: shared.id });
    await s.call('memory.delete', { id: secret.id });
    const trash = await s.call('memory.trash', {}, { key: reader.key });
    assert.ok(trash.items.some((i: any) => i.id === shared.id));
    assert.ok(!trash.items.some((i: any) => i.id === secret.id), 'nothing outside the grant');
    assert.equal((await s.fail('memory.restore', { ids: [shared.id] }, { key: reader.key })).data?.code, 'FORBIDDEN');
    assert.equal((await s.fail('memory.restore', { ids: [secret.id] }, { key: reader.key })).data?.code, 'NOT_FOUND', 'invisible = not found');
    assert.equal((await s.fail('memory.history', { id: secret.id }, { key: reader.key })).data?.code, 'NOT_FOUND');
  });

  it('the trash pages newest first', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await s.call('memory.create', { tree: '/paged', content: `p${i}` })).id);
    for (const id of ids) await s.call('memory.delete', { id });
    const first = await s.call('memory.trash', { tree: '/paged', limit: 2 });
    const second = await s.call('memory.trash', { tree: '/paged', limit: 2, cursor: first.nextCursor });
    const third = await s.call('memory.trash', { tree: '/paged', limit: 2, cursor: second.nextCursor });
    assert.deepEqual([...first.items, ...second.items, ...third.items].map((i: any) => i.id), [...ids].reverse());
    assert.equal(third.nextCursor, null);
  });
});
