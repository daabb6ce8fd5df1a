import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { memoryAt } from '../../bench/harness/generate.js';
import type { Database } from '../../db/connect.js';
import { maintain, staleTables, walSinceCheckpoint } from '../../db/maintenance.js';
import { freshDatabase } from '../support/db.js';

let db: Database;
let spaceId: string;
before(async () => {
  db = await freshDatabase();
  // On a server, keep autovacuum from doing the work between our steps.
  await db.sql`alter table core.memory set (autovacuum_enabled = false, toast.autovacuum_enabled = false)`;
  [{ id: spaceId }] = await db.sql<[{ id: string }]>`insert into core.space (slug, name) values ('maint', 'Maintenance') returning id`;
});
after(async () => { await db?.close(); });

const memoryStats = async () => {
  const [row] = await db.sql<{ reltuples: number; relpages: number }[]>`
    select reltuples::float8 as reltuples, relpages from pg_class where oid = 'core.memory'::regclass`;
  return row!;
};
const totalSize = async () => Number((await db.sql<[{ s: string }]>`select pg_total_relation_size('core.memory') as s`)[0].s);
const maintained = async (opts?: { slackBytes?: number }) => (await maintain(db.sql, opts)).tables.map((m) => m.table);

const changesCounted = async () => Number((await db.sql<[{ n: string }]>`
  select n_tup_ins + n_tup_upd + n_tup_del as n from pg_stat_all_tables where relid = 'core.memory'::regclass`)[0].n);

/** Runs `write` (changing `rows` rows of core.memory), then waits until the activity counters show it (Postgres flushes them ~1 s late). */
async function counted(rows: number, write: () => Promise<unknown>) {
  const base = await changesCounted();
  await write();
  for (let i = 0; i < 300; i++) {
    if (await changesCounted() >= base + rows) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`the activity counters never showed ${rows} changes`);
}

/** Memory text of about `kb` KB: English-ish sentences from the bench's generator (it compresses like real notes). */
const text = (i: number, kb: number) => {
  const parts: string[] = [];
  for (let k = 0, len = 0; len < kb * 1024; k++) { const s = memoryAt(7, i * 1000 + k).content; parts.push(s); len += s.length + 1; }
  return parts.join(' ');
};

async function createMemories(n: number, kb: number) {
  const rows = await db.sql<{ id: string }[]>`insert into core.memory (space_id, tree, content)
    select ${spaceId}, 'big', c from unnest(${Array.from({ length: n }, (_, i) => text(i, kb))}::text[]) as c returning id`;
  return rows.map((r) => r.id);
}

let updated = 0;
async function updateEach(ids: string[], rounds: number, kb: number) {
  for (let r = 0; r < rounds; r++) {
    for (const [i, id] of ids.entries()) {
      await db.sql`update core.memory set content = ${text(100_000 + updated++ % 5000 + i, kb)}, version = version + 1 where id = ${id}`;
    }
  }
}

it('vacuums and analyzes a table that grew, then leaves it alone until it grows again', async () => {
  const fill = (n: number) => db.sql`insert into core.memory (space_id, tree, content)
    select ${spaceId}, 'notes', 'memory number ' || g || ' about maintenance' from generate_series(1, ${n}::int) g`;
  await counted(3000, () => fill(3000));
  assert.ok((await staleTables(db.sql)).includes('core.memory'));

  assert.ok((await maintained()).includes('core.memory'));
  const stats = await memoryStats();
  assert.equal(stats.reltuples, 3000, 'ANALYZE/VACUUM recorded the row count');
  assert.ok(stats.relpages > 0);
  assert.ok(!(await staleTables(db.sql)).includes('core.memory'), 'nothing to do right after maintenance');

  await counted(50, () => fill(50)); // well under 10 %
  assert.ok(!(await staleTables(db.sql)).includes('core.memory'));
  await counted(3000, () => fill(3000));
  assert.ok((await maintained()).includes('core.memory'));
  assert.equal((await memoryStats()).reltuples, 6050);
  await counted(6050, () => db.sql`delete from core.memory where tree = 'notes'`);
  await maintain(db.sql);
});

it('sees dead TOAST that the heap does not show, from the counters and, after they reset, from the size', async () => {
  // Large memories keep their content in TOAST: updating each once leaves ~2 MB of dead TOAST while
  // the heap grows by 100 small rows, which a heap-size test (relpages) does not notice.
  let ids: string[] = [];
  await counted(100, async () => { ids = await createMemories(100, 40); });
  await maintain(db.sql);
  assert.ok(!(await staleTables(db.sql)).includes('core.memory'));
  const sizeBefore = await totalSize();

  await counted(100, () => updateEach(ids, 1, 40));
  assert.ok(await totalSize() > sizeBefore + 1_000_000, 'the updates left over a megabyte of dead rows');
  assert.ok((await staleTables(db.sql)).includes('core.memory'), 'stale by its dead rows');

  // A restart of the embedded database zeroes its counters: the size recorded at the last pass still tells.
  await db.sql`select pg_stat_reset()`;
  assert.ok((await staleTables(db.sql)).includes('core.memory'), 'stale by its size after the counters reset');
  assert.ok((await maintained()).includes('core.memory'));
  assert.ok(!(await staleTables(db.sql)).includes('core.memory'));
  await counted(100, () => db.sql`delete from core.memory where tree = 'big'`);
  await maintain(db.sql);
});

it('keeps the disk bounded under many updates of few memories (issue 10: 40k updates of 100 memories, scaled down)', async () => {
  let ids: string[] = [];
  await counted(100, async () => { ids = await createMemories(100, 8); });
  await maintain(db.sql);
  await counted(2000, () => updateEach(ids, 20, 8)); // 2,000 versions of 8 KB
  const bloated = await totalSize();

  const { tables: done } = await maintain(db.sql, { slackBytes: 1024 * 1024 });
  const memory = done.find((m) => m.table === 'core.memory');
  assert.ok(memory?.rewritten, `core.memory rewritten: ${JSON.stringify(done)}`);
  const afterMaintenance = await totalSize();
  await db.sql`vacuum full core.memory`;
  const compact = await totalSize();
  assert.ok(bloated > 8 * compact, `the scenario bloats the table (${bloated} bytes, ${compact} live)`);
  assert.ok(afterMaintenance < 2 * compact, `after maintenance ${afterMaintenance} bytes, ${compact} after VACUUM FULL (before: ${bloated})`);

  // Right after a rewrite nothing is stale, and a second pass leaves the table alone.
  assert.ok(!(await staleTables(db.sql)).includes('core.memory'));
  assert.ok(!(await maintained({ slackBytes: 1024 * 1024 })).includes('core.memory'));
});

it('checkpoints once WAL piles up: PGlite never does on its own, so its WAL grew without end', async () => {
  await maintain(db.sql);
  const MB = 1024 * 1024;
  // 40 rows of 1 MB of random bytes (incompressible): over 40 MB of WAL.
  await db.sql`create table public.wal_fill (b bytea)`;
  for (let i = 0; i < 40; i++) {
    await db.sql`insert into public.wal_fill select decode(string_agg(md5(random()::text), ''), 'hex') from generate_series(1, 65536)`;
  }
  const before = await walSinceCheckpoint(db.sql);
  assert.ok(before > 40 * MB, `${before} bytes of WAL since the last checkpoint`);
  const done = await maintain(db.sql);
  assert.ok(done.checkpointAfterBytes! >= before, JSON.stringify(done));
  assert.ok(await walSinceCheckpoint(db.sql) < MB, 'the checkpoint moved the redo point to now');
  assert.equal((await maintain(db.sql)).checkpointAfterBytes, undefined, 'no checkpoint while little WAL was written');
  await db.sql`drop table public.wal_fill`;
});
