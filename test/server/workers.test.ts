import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Database } from '../../db/connect.js';
import { BIN, ensureBuilt, me, meJson, sandbox } from '../cli/support.js';
import { setTimeout as delay } from 'node:timers/promises';
import { freshDatabase } from '../support/db.js';
import { createCluster, haveClusterBinaries } from '../support/pg-cluster.js';
import { spawnServer } from '../support/server-process.js';
import { loadConfig } from '../../server/config.js';

// ME_WORKERS: `me serve` on server Postgres as a primary and worker processes sharing one port
// (server/cluster.ts). The first start happens once; every worker serves; SIGTERM stops them all.

const onServer = !!process.env.TEST_DATABASE_URL;
/** A GET on its own connection: node:cluster hands out connections, not requests. */
const freshConnectionStatus = (url: string) => new Promise<number>((resolve, reject) => {
  get(url, { agent: false }, (res) => { res.resume(); resolve(res.statusCode!); }).on('error', reject);
});
const children = (pid: number) => {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

describe('ME_WORKERS', () => {
  const box = sandbox();
  let db: Database | undefined;
  after(async () => {
    await db?.close();
    box.cleanup();
  });

  it('is refused above 1 on the embedded database, in one line', async () => {
    const r = await me(['serve', '--port', '0', '--data-dir', join(box.home, 'never')], { env: { ...box.env, ME_WORKERS: '2' } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: invalid configuration: ME_WORKERS above 1 needs DATABASE_URL: the embedded database serves one process \(it is "2"\)\n$/);
    const zero = await me(['serve', '--port', '0', '--data-dir', join(box.home, 'never')], { env: { ...box.env, ME_WORKERS: '0' } });
    assert.match(zero.stderr, /ME_WORKERS must be a whole number from 1 to 256 \(it is "0"\)/);
  });

  it('two workers share the port; the first start (key, owner link) is printed once; SIGTERM stops all', { skip: !onServer && 'server Postgres only (TEST_DATABASE_URL)' }, async () => {
    ensureBuilt();
    db = await freshDatabase();
    const dataDir = join(box.home, 'workers');
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--database-url', db.url!], {
      env: { ...process.env, ...box.env, ME_LOG_LEVEL: 'info', ME_WORKERS: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const listening = () => [...stderr.matchAll(/"msg":"listening","url":"([^"]+)"/g)].map((m) => m[1]!);
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (listening().length >= 2 && /owner-sign-in\?token=/.test(stderr)) { clearInterval(timer); resolve(); }
      }, 50);
      exited.then((code) => { clearInterval(timer); reject(new Error(`me serve exited (${code}): ${stderr}`)); });
    });
    try {
      const urls = listening();
      assert.equal(urls.length, 2, stderr);
      assert.equal(urls[0], urls[1], 'one port for both workers');
      const url = urls[0]!;
      assert.equal(children(child.pid!).length, 2, 'the primary runs two worker processes');
      const keys = [...stderr.matchAll(/^\s+(me\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/gm)].map((m) => m[1]!);
      const links = [...stderr.matchAll(/^\s+(http\S+owner-sign-in\?token=\S+)\s*$/gm)].map((m) => m[1]!);
      assert.equal(keys.length, 1, 'the bootstrap key is printed once');
      assert.equal(links.length, 1, 'the owner link is printed once');
      assert.equal((await db.sql`select 1 from core.api_key`).length, 1, 'bootstrapped once');

      const env = { ...box.env, ME_SERVER: url, ME_API_KEY: keys[0]! };
      for (let i = 0; i < 4; i++) {
        assert.equal((await meJson(['remember', `served by a worker ${i}`, '--tree', '/workers', '--name', `n${i}`], { env })).outcome, 'created');
      }
      // `me serve --owner-link` may reach either worker: both know the secret.
      const file = JSON.parse(readFileSync(join(dataDir, 'owner-link.json'), 'utf8')) as { url: string };
      assert.equal(file.url, url);
      for (let i = 0; i < 4; i++) {
        const fresh = await me(['serve', '--owner-link', '--data-dir', dataDir], { env: box.env });
        assert.equal(fresh.code, 0, fresh.stderr);
      }
      const signIn = await fetch(links[0]!, { redirect: 'manual' });
      assert.match(signIn.headers.get('set-cookie') ?? '', /me\.session_token=/);
      const again = await fetch(links[0]!, { redirect: 'manual' });
      assert.match(again.headers.get('location') ?? '', /OWNER_LINK_INVALID/);

      // A worker that dies is replaced; the new one takes connections only once it serves, so
      // nothing meanwhile gets its 503 "starting" (it did when every worker listened first).
      const [victim] = children(child.pid!);
      process.kill(victim!, 'SIGKILL');
      while (!/exited \(SIGKILL\); starting another/.test(stderr)) await new Promise((r) => setTimeout(r, 20));
      const statuses: number[] = [];
      while (listening().length < 3) {
        statuses.push(await freshConnectionStatus(url + '/ready'));
        await new Promise((r) => setTimeout(r, 20));
      }
      for (let i = 0; i < 20; i++) statuses.push(await freshConnectionStatus(url + '/ready'));
      console.log(`# ${statuses.length} requests on new connections while worker ${victim} was replaced`);
      assert.ok(statuses.length > 20, 'requests were sent while the replacement started');
      assert.deepEqual(statuses.filter((st) => st !== 200), [], 'every request answered 200');
      assert.equal(children(child.pid!).length, 2, 'a replacement worker runs');
    } finally {
      const workers = children(child.pid!);
      child.kill('SIGTERM');
      assert.equal(await exited, 0, stderr);
      for (const pid of workers) assert.equal(existsSync(`/proc/${pid}`), false, `worker ${pid} exited`);
    }
    assert.equal(existsSync(join(dataDir, 'owner-link.json')), false, 'the minting secret goes with the server');
  });
});

// ME_DB_POOL_MAX is the whole server's connection budget, shared by its workers: per worker it made
// Postgres's load grow with the core count (workers × 10 by default), and two workers of ten
// connections pipelined less than one, serving fewer requests (bench/README.md, "workers").
describe('ME_DB_POOL_MAX with workers', () => {
  it('is split among the workers, each getting at least 2', () => {
    const share = (workers: string, max?: string) =>
      loadConfig({ DATABASE_URL: 'postgres://localhost/x', ME_WORKERS: workers, ...(max ? { ME_DB_POOL_MAX: max } : {}) }).poolMax;
    assert.deepEqual([share('1'), share('2'), share('3'), share('16'), share('2', '1'), share('4', '40')], [10, 5, 4, 2, 1, 10]);
  });

  it('two workers under load open no more app connections than ME_DB_POOL_MAX', { skip: !onServer && 'server Postgres only (TEST_DATABASE_URL)' }, async () => {
    const db = await freshDatabase();
    const server = spawnServer({ DATABASE_URL: db.url!, ME_WORKERS: '2', ME_DB_POOL_MAX: '4', ME_LOG_LEVEL: 'error' });
    try {
      const { url, key } = await server.listening;
      while (children(server.child.pid!).length < 2) await delay(100);
      for (let ok = 0; ok < 8;) ok = (await freshConnectionStatus(`${url}/ready`)) === 200 ? ok + 1 : 0; // both serving
      const call = (method: string, params: object) => fetch(`${url}/api/v1/memory/rpc`, {
        method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      }).then((r) => r.status);
      const memories = Array.from({ length: 1000 }, (_, i) => ({ content: `a note about workers and pools, number ${i}`, tree: `/pool/t${i % 20}` }));
      assert.equal(await call('memory.batchCreate', { memories }), 200);
      // 200 broad searches at once, each on its own connection, so both workers get a share of them.
      for (let round = 0; round < 3; round++) {
        assert.deepEqual(new Set(await Promise.all(Array.from({ length: 200 }, () => call('memory.search', { query: 'workers pools', limit: 50 })))), new Set([200]));
      }
      const [{ n }] = await db.sql<[{ n: number }]>`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and application_name = 'memory-engine' and pid <> pg_backend_pid() and query not ilike 'listen %'`;
      console.log(`# ${n} app connections`);
      assert.ok(n <= 4, `${n} app connections from two workers with ME_DB_POOL_MAX=4`);
    } finally {
      server.child.kill('SIGTERM'); // the primary stops its workers
      await server.exited;
      await server.cleanup();
      await db.close();
    }
  });
});

// Found in the full suite (outage.test): a worker still starting when Postgres went away died, its
// replacements died at start (the database refused them), and after six the primary stopped the
// whole server, healthy worker included. A worker after the first now waits for the database.
describe('ME_WORKERS during a database outage', () => {
  it('a worker that dies while Postgres is down is replaced once it is back; the server never gives up', { skip: (!onServer || !haveClusterBinaries()) && 'server Postgres binaries and TEST_DATABASE_URL only' }, async () => {
    const pg = await createCluster();
    const server = spawnServer({ DATABASE_URL: pg.url, ME_WORKERS: '2' });
    try {
      const { url } = await server.listening;
      while (children(server.child.pid!).length < 2) await delay(100);
      for (let ok = 0; ok < 8;) ok = (await freshConnectionStatus(`${url}/ready`)) === 200 ? ok + 1 : 0; // both serving
      await pg.stop();
      process.kill(children(server.child.pid!).at(-1)!, 'SIGKILL');
      // Before: six replacements died within ~15 s and the primary exited 1.
      const exited = await Promise.race([server.exited.then(() => true), delay(15_000).then(() => false)]);
      assert.equal(exited, false, `the server stopped during the outage:\n${server.stderr().slice(-2000)}`);
      assert.match(server.stderr(), /worker waiting for the database/);
      await pg.start();
      // Both workers serve again: every new connection (handed round-robin) is answered 200.
      let inARow = 0;
      for (const deadline = Date.now() + 30_000; inARow < 8 && Date.now() < deadline;) {
        inARow = (await freshConnectionStatus(`${url}/ready`)) === 200 ? inARow + 1 : 0;
        if (!inARow) await delay(200);
      }
      assert.equal(inARow, 8, `not every worker serves after the outage:\n${server.stderr().slice(-2000)}`);
    } finally {
      await server.cleanup();
      await pg.remove();
    }
  });
});
