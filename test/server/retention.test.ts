import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ConfigError, loadConfig } from '../../server/config.js';
import { pruneHistory } from '../../server/memory/retention.js';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
let db: TestServer['services'];
let spaceId: string;
before(async () => {
  s = await startTestServer();
  db = s.services;
  [{ id: spaceId }] = await db.sql<[{ id: string }]>`insert into core.space (slug, name) values ('keep', 'Retention') returning id`;
});
after(async () => { await s?.close(); });

const ids = new Map<string, string>();

/** One change to memory `m` through the history trigger, its event dated `days` ago. */
async function at(days: number, m: string, op: 'create' | 'update' | 'delete' | 'restore') {
  const id = ids.get(m);
  if (op === 'create') {
    const [row] = await db.sql<[{ id: string }]>`insert into core.memory (space_id, tree, name, content)
      values (${spaceId}, 'notes', ${m}, ${`memory ${m}, first version`}) returning id`;
    ids.set(m, row.id);
  } else if (op === 'update') {
    await db.sql`update core.memory set content = content || ' (edited)', version = version + 1 where id = ${id!}`;
  } else if (op === 'delete') {
    await db.sql`delete from core.memory where id = ${id!}`;
  } else { // as memory.restore does: the same id, the next version
    await db.sql`insert into core.memory (id, space_id, tree, name, content, version)
      select ${id!}, ${spaceId}, 'notes', ${m}, snapshot->>'content', version + 1 from core.memory_history
      where memory_id = ${id!} order by id desc limit 1`;
  }
  await db.sql`update core.memory_history set at = now() - make_interval(days => ${days})
    where id = (select max(id) from core.memory_history where memory_id = ${ids.get(m)!})`;
}

const remaining = async () => {
  const rows = await db.sql<{ memory_id: string; version: number; op: string }[]>`
    select memory_id, version, op from core.memory_history where space_id = ${spaceId} order by id`;
  const names = new Map([...ids].map(([name, id]) => [id, name]));
  return rows.map((r) => `${names.get(r.memory_id)} v${r.version} ${r.op}`);
};

it('keeps every memory\'s latest version and a deleted memory\'s last snapshot for the period, and drops older versions', async () => {
  // A timeline (oldest first, as history is written), with a 30-day retention.
  await at(60, 'D', 'create');
  await at(45, 'D', 'delete'); // deleted before the period: gone for good
  for (const m of ['A', 'B', 'C', 'E', 'G']) await at(40, m, 'create');
  await at(38, 'C', 'update');
  await at(36, 'G', 'delete');
  await at(35, 'A', 'update');
  await at(35, 'G', 'restore'); // restored before the period: its restored version is its latest
  await at(10, 'C', 'delete'); // deleted within the period: still in the trash
  await at(5, 'F', 'create');
  await at(4, 'F', 'update');
  await at(2, 'A', 'update');
  await at(1, 'E', 'update');
  assert.equal((await remaining()).length, 16);

  // Batches of 3 events: the walk crosses batches, and stops at the first one inside the period.
  const deleted = await pruneHistory(db.sql, 30, { batch: 3 });
  assert.deepEqual(await remaining(), [
    'B v1 insert', // untouched for 40 days, still its current version
    'G v2 insert',
    'C v2 delete',
    'F v1 insert',
    'F v2 update',
    'A v3 update',
    'E v2 update',
  ]);
  assert.equal(deleted, 9);
  assert.equal(await pruneHistory(db.sql, 30), 0, 'a second pass finds nothing');

  // The trash still restores C from its deletion's snapshot; 10 days on, it is gone.
  const [trashed] = await db.sql<[{ content: string }]>`select snapshot->>'content' as content from core.memory_history
    where memory_id = ${ids.get('C')!} and op = 'delete'`;
  assert.equal(trashed.content, 'memory C, first version (edited)');
  assert.equal(await pruneHistory(db.sql, 9), 1);
  assert.deepEqual(await remaining(), ['B v1 insert', 'G v2 insert', 'F v1 insert', 'F v2 update', 'A v3 update', 'E v2 update']);
});

it('a memory deleted within the period stays in the trash and restores; history and revert work from what is left', async () => {
  const m = await s.call('memory.create', { tree: '/kept', name: 'doc', content: 'first' });
  await s.call('memory.update', { id: m.id, version: 1, content: 'second' });
  await s.call('memory.update', { id: m.id, version: 2, content: 'third' });
  await s.call('memory.delete', { id: m.id });
  const age = (version: number, op: string, days: number) => db.sql`update core.memory_history
    set at = now() - make_interval(days => ${days}) where memory_id = ${m.id} and version = ${version} and op = ${op}`;
  await age(1, 'insert', 50);
  await age(2, 'update', 40);
  await age(3, 'update', 20);
  await age(3, 'delete', 10);
  assert.equal(await pruneHistory(db.sql, 30), 2);

  const trash = await s.call('memory.trash', {});
  assert.deepEqual(trash.items.map((i: any) => [i.id, i.path]), [[m.id, '/kept/doc']]);
  await s.call('memory.restore', { ids: [m.id] });
  const restored = await s.call('memory.get', { id: m.id });
  assert.equal(restored.content, 'third');
  const h = await s.call('memory.history', { id: m.id });
  assert.deepEqual(h.events.map((e: any) => [e.op, e.version]), [['insert', 4], ['delete', 3], ['update', 3]]);
  assert.equal((await s.fail('memory.revert', { id: m.id, version: 1 })).data?.code, 'NOT_FOUND', 'a pruned version is gone, with a clear error');
});

it('ME_HISTORY_RETENTION_DAYS is off by default and must be a whole number of days', () => {
  assert.equal(loadConfig({}).historyRetentionDays, 0);
  assert.equal(loadConfig({ ME_HISTORY_RETENTION_DAYS: '90' }).historyRetentionDays, 90);
  for (const bad of ['-1', '1.5', 'forever', '100000']) {
    assert.throws(() => loadConfig({ ME_HISTORY_RETENTION_DAYS: bad }), (e: Error) =>
      e instanceof ConfigError && /ME_HISTORY_RETENTION_DAYS must be a number of days from 0 to 36500/.test(e.message));
  }
});
