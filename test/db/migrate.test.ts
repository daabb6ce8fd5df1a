import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import postgres from 'postgres';
import type { Database } from '../../db/connect.js';
import { migrate, SCHEMA_VERSION, SchemaTooNewError } from '../../db/migrate.js';
import { freshDatabase } from '../support/db.js';

let db: Database;
before(async () => { db = await freshDatabase(); });
after(async () => { await db?.close(); });

it('re-running migrations is a no-op and re-applies the idempotent files', async () => {
  const { applied } = await migrate(db.sql);
  assert.deepEqual(applied, []);
  const rows = await db.sql<{ version: number }[]>`select version from core.migration order by version`;
  assert.equal(rows.at(-1)!.version, SCHEMA_VERSION);
});

it('servers booting at once migrate once (advisory lock)', { skip: !process.env.TEST_DATABASE_URL && 'needs a server Postgres' }, async () => {
  const url = db.url!;
  // Start from an empty database: every schema the migrations create goes.
  await db.sql`drop schema if exists auth cascade`;
  await db.sql`drop schema core cascade`;
  const pools = [postgres(url, { max: 2, onnotice: () => {} }), postgres(url, { max: 2, onnotice: () => {} }), postgres(url, { max: 2, onnotice: () => {} })];
  const results = await Promise.all(pools.map((p) => migrate(p)));
  await Promise.all(pools.map((p) => p.end()));
  assert.equal(results.filter((r) => r.applied.length > 0).length, 1, 'exactly one server applied the migrations');
  const [n] = await db.sql<{ n: number }[]>`select count(*)::int as n from core.migration`;
  assert.equal(n!.n, SCHEMA_VERSION);
});

it('refuses a database whose schema is newer than the code', async () => {
  await db.sql`insert into core.migration (version, name, checksum) values (${SCHEMA_VERSION + 1000}, 'from-the-future.sql', 'x')`;
  await assert.rejects(migrate(db.sql), (err: Error) => err instanceof SchemaTooNewError && /upgrade memory-engine/.test(err.message));
  await db.sql`delete from core.migration where version = ${SCHEMA_VERSION + 1000}`;
});

it('refuses an incremental migration edited after it was applied', async () => {
  await db.sql`update core.migration set checksum = 'tampered' where version = 1`;
  await assert.rejects(migrate(db.sql), /changed after it was applied/);
  await db.sql`update core.migration set checksum = ${(await import('../../db/migrate.js')).incremental[0]!.checksum} where version = 1`;
});

it('ids are uuidv7: version 7 and ordered by creation time', async () => {
  const ids = [];
  for (let i = 0; i < 3; i++) {
    const [r] = await db.sql<{ id: string }[]>`select uuidv7()::text as id`;
    ids.push(r!.id);
    await new Promise((res) => setTimeout(res, 2));
  }
  assert.ok(ids.every((id) => id[14] === '7'), ids.join());
  assert.deepEqual([...ids].sort(), ids);
});
