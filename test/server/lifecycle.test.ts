import assert from 'node:assert/strict';
import { it } from 'node:test';
import { startTestServer } from '../support/server.js';

it('health, readiness and version answer without credentials', async () => {
  const s = await startTestServer();
  try {
    assert.deepEqual(await (await fetch(s.url + '/health')).json(), { ok: true });
    const ready = await (await fetch(s.url + '/ready')).json();
    assert.equal(ready.ok, true);
    const version = await (await fetch(s.url + '/api/v1/version')).json();
    assert.match(version.version, /^\d+\.\d+\.\d+/);
    assert.equal(typeof version.schema, 'number');
  } finally {
    await s.close();
  }
});

it('graceful shutdown lets an in-flight request finish, then refuses new ones', async () => {
  // A route that holds its request open until released: the request is in flight for certain.
  let entered!: () => void;
  const inside = new Promise<void>((r) => (entered = r));
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const s = await startTestServer({
    extend: (app) => app.get('/test/slow', async (c) => { entered(); await gate; return c.json({ finished: true }); }),
  });
  const url = s.url;
  const inFlight = fetch(url + '/test/slow').then((r) => r.json());
  await inside;
  const closed = s.close();
  let closedYet = false;
  void closed.then(() => (closedYet = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(closedYet, false, 'close() waits for the in-flight request');
  release();
  assert.deepEqual(await inFlight, { finished: true });
  await closed;
  await assert.rejects(fetch(url + '/health'));
});
