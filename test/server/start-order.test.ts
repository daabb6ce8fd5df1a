import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { it } from 'node:test';
import { spawnServer } from '../support/server-process.js';

// The server binds its port before it opens anything: a second server started by mistake on a busy
// port must fail before it opens (and migrates) a database, and clients that arrive while it opens
// get a clear 503 instead of a refused connection.

async function freePort() {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

it('a busy port fails in one line before the database is opened', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  const p = spawnServer({ ME_PORT: String(port) });
  try {
    assert.equal(await p.exited, 1, p.stderr());
    assert.match(p.stderr(), new RegExp(`^error: port ${port} is already in use on 127\\.0\\.0\\.1 `, 'm'));
    assert.equal(existsSync(join(p.dataDir, 'pg')), false, 'no embedded database was created');
    assert.doesNotMatch(p.stderr(), /migrat/i);
  } finally {
    blocker.close();
    await p.cleanup();
  }
});

it('while it opens and migrates the database, requests get 503 with Retry-After; /health is alive', async () => {
  const port = await freePort();
  const p = spawnServer({ ME_PORT: String(port) });
  try {
    const url = `http://127.0.0.1:${port}`;
    let first: Response | undefined;
    let health: unknown;
    // Poll until the port answers: a fresh embedded data dir takes seconds to open and migrate.
    const until = Date.now() + 120_000;
    while (!first && Date.now() < until) {
      first = await fetch(url + '/api/v1/version').catch(() => undefined);
      if (!first) await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(first, 'the port answered');
    assert.equal(first.status, 503, 'the first answer comes while the database is being opened');
    assert.equal(first.headers.get('retry-after'), '1');
    const body = await first.json();
    assert.equal(body.error.data.code, 'UNAVAILABLE');
    assert.equal(body.error.data.reason, 'SERVER_STARTING');
    assert.equal(body.error.data.retryAfter, 1);
    assert.match(body.error.message, /starting; retry/);
    const ready = await fetch(url + '/ready');
    if (ready.status === 503) health = await (await fetch(url + '/health')).json();
    await p.listening;
    assert.equal((await fetch(url + '/api/v1/version')).status, 200);
    assert.equal((await fetch(url + '/ready')).status, 200);
    if (health) assert.deepEqual(health, { ok: true, starting: true });
  } finally {
    await p.cleanup();
  }
});
