import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';

// On the embedded database every caller shares one serialized connection: concurrent
// transactions, including failing ones, must neither error nor lose or leak a write.
let s: TestServer;
before(async () => { s = await startTestServer(); });
after(async () => { await s?.close(); });

it('concurrent transactions from many callers: zero errors, nothing lost, failures leave nothing', async () => {
  await s.call('memory.create', { tree: '/c', name: 'taken', content: 'x' });
  const callers = 8;
  const perCaller = 10;
  const work = Array.from({ length: callers }, (_, c) => (async () => {
    const outcomes = { ok: 0, conflict: 0 };
    for (let i = 0; i < perCaller; i++) {
      await s.call('memory.create', { tree: `/c/caller${c}`, content: `single ${c}.${i}` });
      await s.call('memory.batchCreate', { memories: Array.from({ length: 5 }, (_, j) => ({ tree: `/c/caller${c}`, content: `batch ${c}.${i}.${j}` })) });
      // A batch that fails on its last row must leave none of its rows behind.
      const err = await s.fail('memory.batchCreate', {
        memories: [{ tree: `/c/caller${c}`, content: 'doomed' }, { tree: '/c', name: 'taken', content: 'clash' }],
      });
      assert.equal(err.data?.code, 'CONFLICT');
      const m = await s.call('memory.create', { tree: `/c/caller${c}`, name: `n${i}`, content: 'v1' });
      const stale = await s.fail('memory.update', { id: m.id, version: 2, content: 'lost' });
      assert.equal(stale.data?.code, 'CONFLICT');
      await s.call('memory.update', { id: m.id, version: 1, content: 'v2' });
      outcomes.ok++;
    }
    return outcomes;
  })());
  const results = await Promise.all(work);
  assert.equal(results.reduce((n, r) => n + r.ok, 0), callers * perCaller);
  const per = 1 + 5 + 1; // single + batch + named
  assert.equal((await s.call('memory.count', { tree: '/c' })).count, callers * perCaller * per + 1);
  const [doomed] = await s.services.sql<{ n: number }[]>`select count(*)::int as n from core.memory where content = 'doomed'`;
  assert.equal(doomed!.n, 0);
  const [v2] = await s.services.sql<{ n: number }[]>`select count(*)::int as n from core.memory where content = 'v2' and version = 2`;
  assert.equal(v2!.n, callers * perCaller);
});
