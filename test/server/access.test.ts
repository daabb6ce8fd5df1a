import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';
import { keyFor, principalWithKey } from '../support/principals.js';

let s: TestServer;
let bob: { id: string; key: string };
let spaceId: string;
before(async () => {
  s = await startTestServer();
  bob = await principalWithKey(s, 'bob');
  spaceId = (await s.services.sql<{ id: string }[]>`select id from core.space where slug = 'default'`)[0]!.id;
  await s.call('memory.batchCreate', {
    memories: [
      { tree: '/shared', name: 'readme', content: 'shared knowledge about tides' },
      { tree: '/shared/bob', content: 'bob area note about tides' },
      { tree: '/private', name: 'diary', content: 'private thoughts about tides' },
    ],
  });
});
after(async () => { await s?.close(); });

describe('grants', () => {
  it('a non-member does not see the space at all', async () => {
    const err = await s.fail('memory.search', { query: 'tides', space: 'default' }, { key: bob.key });
    assert.equal(err.data?.code, 'NOT_FOUND');
    assert.match(err.message, /not a member/);
  });

  it('read on /shared: reads and searches only there, cannot write', async () => {
    await s.call('grant.set', { principal: bob.id, tree: '/shared', level: 'read' });
    const found = await s.call('memory.search', { query: 'tides', space: 'default' }, { key: bob.key });
    assert.deepEqual(found.results.map((r: any) => r.tree).sort(), ['/shared', '/shared/bob']);
    assert.equal((await s.call('memory.count', { space: 'default' }, { key: bob.key })).count, 2);
    const tree = await s.call('memory.tree', { space: 'default' }, { key: bob.key });
    assert.deepEqual(tree.children, [{ path: '/shared', count: 2 }]);
    const diary = await s.call('memory.getByPath', { path: '/private/diary' });
    const hidden = await s.fail('memory.get', { id: diary.id, space: 'default' }, { key: bob.key });
    assert.equal(hidden.data?.code, 'NOT_FOUND', 'an unreadable memory looks absent');
    const noWrite = await s.fail('memory.create', { tree: '/shared', content: 'x', space: 'default' }, { key: bob.key });
    assert.equal(noWrite.data?.code, 'FORBIDDEN');
    const readme = await s.call('memory.getByPath', { path: '/shared/readme', space: 'default' }, { key: bob.key });
    const upd = await s.fail('memory.update', { id: readme.id, version: readme.version, content: 'x', space: 'default' }, { key: bob.key });
    assert.equal(upd.data?.code, 'FORBIDDEN');
    assert.equal((await s.call('memory.get', { id: readme.id })).content, 'shared knowledge about tides');
  });

  it('grants are additive and hierarchical: write on /shared/bob', async () => {
    await s.call('grant.set', { principal: bob.id, tree: '/shared/bob', level: 'write' });
    const m = await s.call('memory.create', { tree: '/shared/bob/deep', content: 'mine', space: 'default' }, { key: bob.key });
    assert.equal(m.tree, '/shared/bob/deep');
    const moveUp = await s.fail('memory.move', { from: '/shared/bob', to: '/shared/other', space: 'default' }, { key: bob.key });
    assert.equal(moveUp.data?.code, 'FORBIDDEN');
    const escape = await s.fail('memory.update', { id: m.id, version: 1, tree: '/private', space: 'default' }, { key: bob.key });
    assert.equal(escape.data?.code, 'FORBIDDEN', 'cannot move a memory out of the writable subtree');
    const deleteAll = await s.fail('memory.deleteTree', { tree: '/shared', space: 'default' }, { key: bob.key });
    assert.equal(deleteAll.data?.code, 'FORBIDDEN');
    assert.equal((await s.call('memory.count', { tree: '/shared' })).count, 3);
  });

  it('only owners of a prefix may grant', async () => {
    const err = await s.fail('grant.set', { principal: bob.id, tree: '/private', level: 'read', space: 'default' }, { key: bob.key });
    assert.equal(err.data?.code, 'FORBIDDEN');
    const list = await s.call('grant.list', { principal: bob.id });
    assert.deepEqual(list.grants.map((g: any) => [g.tree, g.level]), [['/shared', 'read'], ['/shared/bob', 'write']]);
    assert.equal((await s.call('principal.list', {})).principals.length, 2);
    assert.deepEqual(await s.call('grant.remove', { principal: bob.id, tree: '/shared' }), { removed: true });
    assert.equal((await s.call('memory.count', { space: 'default' }, { key: bob.key })).count, 2, 'only /shared/bob is left');
  });
});

describe('API keys', () => {
  it('a restricted key narrows the holder\'s grants, never widens them', async () => {
    const owner = (await s.call('whoami', {})).id;
    const narrow = await keyFor(s, owner, { restriction: [{ space: null, tree: 'shared', level: 1 }] });
    assert.equal((await s.call('memory.count', {}, { key: narrow })).count, 3);
    const write = await s.fail('memory.create', { tree: '/shared', content: 'x' }, { key: narrow });
    assert.equal(write.data?.code, 'FORBIDDEN');
    const diary = await s.fail('memory.getByPath', { path: '/private/diary' }, { key: narrow });
    assert.equal(diary.data?.code, 'NOT_FOUND');
    const wide = await keyFor(s, bob.id, { restriction: [{ space: spaceId, tree: '', level: 3 }] });
    assert.equal((await s.call('memory.count', { space: 'default' }, { key: wide })).count, 2, 'bob still sees only his grants');
    assert.equal((await s.call('whoami', {}, { key: narrow })).restricted, true);
  });

  it('expired, malformed and unknown keys are 401 with a challenge', async () => {
    const expired = await keyFor(s, bob.id, { expiresAt: new Date(Date.now() - 1000) });
    for (const key of [expired, 'me.nope.nope', 'me.AAAAAAAAAAAA.' + 'A'.repeat(43)]) {
      const res = await s.post('/api/v1/memory/rpc', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'memory.count', params: {} }), { authorization: `Bearer ${key}` });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.equal((await res.json()).error.data.code, 'UNAUTHORIZED');
    }
  });

  it('an API key cannot mint or revoke keys', async () => {
    const err = await s.fail('apiKey.create', { name: 'sneaky' });
    assert.equal(err.data?.code, 'FORBIDDEN');
    const list = await s.call('apiKey.list', {});
    assert.ok(list.keys.length >= 1);
    assert.ok(list.keys.every((k: any) => k.prefix.startsWith('me.') && !('key' in k)));
  });

  it('records last use in batches, not per call', async () => {
    const { flushKeyUsage } = await import('../../server/auth/api-keys.js');
    await s.call('memory.count', {});
    await flushKeyUsage(s.services);
    const [row] = await s.services.sql<{ n: number }[]>`select count(*)::int as n from core.api_key where last_used_at is not null`;
    assert.ok(row!.n >= 1);
  });
});

describe('roster', () => {
  it('admins change roles and remove members; a space keeps one admin', async () => {
    const carol = await principalWithKey(s, 'carol');
    await s.call('grant.set', { principal: carol.id, tree: '/shared', level: 'read' });
    const notAdmin = await s.fail('member.remove', { principal: bob.id, space: 'default' }, { key: carol.key });
    assert.equal(notAdmin.data?.code, 'FORBIDDEN');
    const owner = (await s.call('whoami', {})).id;
    const last = await s.fail('member.setRole', { principal: owner, role: 'member' });
    assert.equal(last.data?.code, 'CONFLICT');
    assert.deepEqual(await s.call('member.setRole', { principal: carol.id, role: 'admin' }), { principal: carol.id, role: 'admin' });
    assert.deepEqual(await s.call('member.remove', { principal: carol.id }), { removed: true });
    const gone = await s.fail('memory.count', { space: 'default' }, { key: carol.key });
    assert.equal(gone.data?.code, 'NOT_FOUND', 'removed from the roster, the space is gone for them');
    assert.equal((await s.call('grant.list', { principal: carol.id })).grants.length, 0);
  });
});
