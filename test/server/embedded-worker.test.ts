import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freshDatabase } from '../support/db.js';
import { startTestServer } from '../support/server.js';

// The embedded database runs in a worker thread (db/embedded.ts): a long query no longer stops the
// server's event loop (issue 10: /health waited 1.5 s behind a 1.8 s search). PGlite is one
// session, so queries still run one after another: a memory.get waits for the query before it.
describe('the embedded database off the event loop', { skip: process.env.TEST_DATABASE_URL ? 'about the embedded database' : false }, () => {
  it('/health and timers stay responsive while a 2 s query runs', async () => {
    const s = await startTestServer();
    try {
      const { id } = await s.call('memory.create', { tree: '/w', content: 'read while the database is busy' });
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      const started = performance.now();
      const slow = s.services.sql`select pg_sleep(2)`.execute(); // postgres.js sends a query only when asked
      await new Promise((r) => setTimeout(r, 200)); // the query is running
      const health: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        assert.equal((await fetch(s.url + '/health')).status, 200);
        health.push(performance.now() - t);
      }
      const t = performance.now();
      const got = await s.call('memory.get', { id });
      const getMs = performance.now() - t;
      await slow;
      clearInterval(timer);
      const slowMs = performance.now() - started;
      assert.equal(got.content, 'read while the database is busy');
      console.log(`# /health ${health.map((x) => x.toFixed(1)).join(', ')} ms; memory.get ${getMs.toFixed(0)} ms (waits: one session); ${ticks} timer ticks in ${slowMs.toFixed(0)} ms`);
      assert.ok(Math.max(...health) < 100, `/health took ${Math.max(...health).toFixed(0)} ms`);
      assert.ok(ticks > slowMs / 10 / 4, `a 10 ms timer fired ${ticks} times in ${slowMs.toFixed(0)} ms`);
    } finally {
      await s.close();
    }
  });

  it('a query past the time bound fails with 57014 (TIMEOUT); the database reopens, loses nothing committed, and the session goes on', async () => {
    const database = await freshDatabase({ statementTimeoutMs: 2000 });
    const s = await startTestServer({ database });
    try {
      const sql = s.services.sql;
      const before = await s.call('memory.batchCreate', { memories: Array.from({ length: 20 }, (_, i) => ({ tree: '/kept', content: `committed ${i}` })) });
      assert.equal(before.created, 20);
      const t = performance.now();
      const cut = sql`select pg_sleep(30)`.then(() => null, (e: { code?: string }) => e);
      // Requests queued behind the slow query are served once the database is back.
      const queued = Array.from({ length: 5 }, (_, i) => s.call('memory.create', { tree: '/queued', content: `queued ${i}` }));
      const err = await cut;
      const ms = performance.now() - t;
      assert.equal(err?.code, '57014', String(err));
      assert.ok(ms < 6000, `cut off after ${ms.toFixed(0)} ms`);
      assert.equal((await Promise.all(queued)).length, 5);
      // A transaction cut off commits nothing, and what follows it does not run outside it.
      const tx = await sql.begin(async (q) => {
        await q`insert into core.memory (space_id, tree, content) select id, 'cut', 'never' from core.space where slug = 'default'`;
        // Sent right behind the slow query, in the same transaction: it must fail with it (25P02),
        // not run on its own in the reopened database.
        await Promise.all([
          q`select pg_sleep(30)`,
          q`insert into core.memory (space_id, tree, content) select id, 'cut', 'after' from core.space where slug = 'default'`,
        ]);
      }).then(() => null, (e: { code?: string }) => e);
      assert.equal(tx?.code, '57014');
      assert.equal(database.embedded!.restarts, 2);
      assert.equal((await s.call('memory.count', { tree: '/kept' })).count, 20);
      assert.equal((await s.call('memory.count', { tree: '/queued' })).count, 5);
      assert.equal((await s.call('memory.count', { tree: '/cut' })).count, 0);
      // Prepared statements and sign-in go on working on the reopened database.
      assert.equal((await s.call('memory.search', { query: 'committed', tree: '/kept', limit: 50 })).results.length, 20);
      console.log(`# cut off after ${ms.toFixed(0)} ms (bound 2000 ms)`);
    } finally {
      await s.close();
      await database.close();
    }
  });
});
