import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Database } from '../../db/connect.js';
import { maintain, staleTables } from '../../db/maintenance.js';
import { freshDatabase } from '../support/db.js';

let db: Database;
before(async () => { db = await freshDatabase(); });
after(async () => { await db?.close(); });

const memoryStats = async () => {
  const [row] = await db.sql<{ reltuples: number; relpages: number }[]>`
    select reltuples::float8 as reltuples, relpages from pg_class where oid = 'core.memory'::regclass`;
  return row!;
};

it('vacuums and analyzes a table that grew, then leaves it alone until it grows again', async () => {
  // On a server, keep autovacuum from doing the work between our steps.
  await db.sql`alter table core.memory set (autovacuum_enabled = false)`;
  const [space] = await db.sql<{ id: string }[]>`insert into core.space (slug, name) values ('maint', 'Maintenance') returning id`;
  const fill = (n: number) => db.sql`insert into core.memory (space_id, tree, content)
    select ${space!.id}, 'notes', 'memory number ' || g || ' about maintenance' from generate_series(1, ${n}::int) g`;
  await fill(3000);
  assert.ok((await staleTables(db.sql)).includes('core.memory'));

  assert.ok((await maintain(db.sql)).includes('core.memory'));
  const stats = await memoryStats();
  assert.equal(stats.reltuples, 3000, 'ANALYZE/VACUUM recorded the row count');
  assert.ok(stats.relpages > 0);
  assert.ok(!(await staleTables(db.sql)).includes('core.memory'), 'nothing to do right after maintenance');

  await fill(50); // well under 10 %
  assert.ok(!(await staleTables(db.sql)).includes('core.memory'));
  await fill(3000);
  assert.ok((await maintain(db.sql)).includes('core.memory'));
  assert.equal((await memoryStats()).reltuples, 6050);
});
