import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshDatabase } from '../support/db.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { accepted, refused } from '../support/jsonpath-examples.js';

// `where` runs on every candidate row, so forms whose cost is the product of two arrays are
// refused before any query, and everything else is bounded by the statement timeout.

let s: TestServer;
before(async () => {
  s = await startTestServer();
  // Two 4,900-element arrays: a cross product of them would be 24 million comparisons per row.
  const a = Array.from({ length: 4900 }, (_, i) => i);
  await s.call('memory.create', { tree: '/big', content: 'two long arrays', meta: { a, b: a.map((i) => i + 4999), tag: 'x' } });
  await s.call('memory.create', { tree: '/small', content: 'small', meta: { priority: 3, tags: ['urgent'], name: 'abz', items: [{ done: false, size: 4, name: 'x' }] } });
});
after(async () => { await s?.close(); });

describe('where', () => {
  it('every documented example of the accepted subset runs', async () => {
    for (const where of accepted) {
      const r = await s.call('memory.search', { where }).catch((e) => e.rpc);
      assert.ok(Array.isArray(r.results), `${where}: ${JSON.stringify(r)}`);
    }
    assert.equal((await s.call('memory.search', { where: '$.priority > 2' })).results.length, 1);
    assert.equal((await s.call('memory.search', { where: '$.items[*] ? (@.done == false && @.size > 3).name == "x"' })).results.length, 1);
  });

  it('the cross-product forms are refused before they reach the database', async () => {
    const pathological = ['$.a[*] ? (@ == $.b[*])', '$.a[*] ? (exists($.b[*] ? (@ == $.a[*])))', '$.a[*] == $.b[*]', '$.a == $.b'];
    for (const where of [...pathological, ...refused.map(([w]) => w)]) {
      const started = performance.now();
      const err = await s.fail('memory.search', { where, tree: '/big' });
      const ms = performance.now() - started;
      assert.equal(err.data?.reason, 'INVALID_JSONPATH', `${where.slice(0, 50)}: ${err.message}`);
      assert.ok(ms < 2000, `${where.slice(0, 50)} answered in ${ms.toFixed(0)} ms`);
    }
    const health = performance.now();
    assert.equal((await fetch(s.url + '/health')).status, 200);
    console.log(`# /health after the refused queries: ${(performance.now() - health).toFixed(1)} ms`);
  });

  it('an accepted query that runs past the statement timeout is cancelled with TIMEOUT', async () => {
    const database = await freshDatabase({ statementTimeoutMs: 300 });
    const slow = await startTestServer({ database });
    try {
      const [space] = await slow.services.sql<{ id: string }[]>`select id from core.space where slug = 'default'`;
      // Slow by construction, whatever the machine: 24 regular expressions, each scanning all of
      // every row's 60,000 random a/b characters without a match (~25 s of work here, against 0.3 s).
      for (let i = 0; i < 60; i += 10) {
        await slow.services.sql.begin(async (tx) => {
          await tx`set local statement_timeout = 0`; // setup is not under test
          await tx`insert into core.memory (space_id, tree, content, meta)
            select ${space!.id}, 'slow', 'slow ' || g, jsonb_build_object('s', s.text)
            from generate_series(${i}::int, ${i + 9}::int) g,
              (select left(repeat(string_agg(translate(md5(j::text), '0123456789abcdef', 'abababababababab'), ''), 19), 60000) as text
               from generate_series(1, 100) j) s`;
        });
      }
      const where = Array.from({ length: 24 }, (_, k) => `$.s like_regex "a[ab]{${20 + k}}c"`).join(' || ');
      const started = performance.now();
      const err = await slow.fail('memory.search', { space: 'default', tree: '/slow', where });
      const ms = performance.now() - started;
      console.log(`# cancelled after ${ms.toFixed(0)} ms (statement timeout 300 ms)`);
      assert.equal(err.data?.code, 'TIMEOUT', err.message);
      assert.equal(err.data?.reason, 'QUERY_TIMEOUT');
      assert.match(err.message, /^narrow the query: /);
      assert.ok(ms < 5000, `answered in ${ms.toFixed(0)} ms`);
    } finally {
      await slow.close();
      await database.close(); // a database passed in stays open with the server's close
    }
  });
});
