import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import postgres from 'postgres';
import { OUTAGE_TIMEOUTS } from '../../db/connect.js';
import { classifyError } from '../../server/util/pg-errors.js';

// postgres.js when a connection is lost or cannot be made (patches/postgres+3.4.9.patch). Each case
// failed on the unpatched library: a stale error delivered to the next query, a process crash, and
// queries waiting their turn for a connection attempt each while the database refused them all.

const url = process.env.TEST_DATABASE_URL;
const quiet = { onnotice: () => {} };
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isUnavailable = (e: unknown) => classifyError(e)?.code === 'UNAVAILABLE';

describe('a lost connection', { skip: url ? false : 'needs server Postgres (TEST_DATABASE_URL)' }, () => {
  const admin = url ? postgres(url, { ...quiet, max: 1 }) : null!;
  after(() => admin?.end());

  it('fails the query in flight as UNAVAILABLE; the next query runs on a new connection without the old error', async () => {
    const sql = postgres(url!, { ...quiet, max: 1, ...OUTAGE_TIMEOUTS });
    try {
      const { pid } = (await sql<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!;
      const slow = sql`select pg_sleep(5)`;
      await pause(200);
      await admin`select pg_terminate_backend(${pid})`; // the backend answers 57P01 and closes
      await assert.rejects(slow, isUnavailable);
      // Unpatched, the terminated connection's 57P01 was handed to this query after reconnecting.
      // When the backend's close arrives as a reset (ECONNRESET), a query sent before the socket's
      // close fails as CONNECTION_CLOSED (UNAVAILABLE); unpatched it hung forever.
      const pidNow = () => sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const [row] = await pidNow().catch((e: { code?: string }) => {
        assert.equal(e.code, 'CONNECTION_CLOSED', String(e));
        return pidNow();
      });
      assert.notEqual(row!.pid, pid);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });

  it('a transaction that goes on after its connection died gets an error, and the process lives', async () => {
    const sql = postgres(url!, { ...quiet, max: 2, ...OUTAGE_TIMEOUTS });
    try {
      let late: unknown;
      const tx = sql.begin(async (tx) => {
        const { pid } = (await tx<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!;
        await admin`select pg_terminate_backend(${pid})`;
        await pause(200); // the close has arrived
        // Unpatched, this wrote to the closed socket from a timer: an uncaught TypeError killed the process.
        await tx`select 1`.catch((e) => (late = e));
      });
      await assert.rejects(tx, isUnavailable);
      await pause(300);
      assert.ok(isUnavailable(late), `the late query failed clearly: ${String(late)}`);
      assert.deepEqual([...await sql`select 1 as one`], [{ one: 1 }]);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });
});

it('while the database refuses connections, every waiting query fails at once', async () => {
  // A port nothing listens on: each connection attempt is refused.
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  // A one-second backoff between attempts: unpatched, 20 queries on 2 connections waited ~10 s.
  const sql = postgres(`postgres://postgres@127.0.0.1:${port}/postgres`, { ...quiet, max: 2, connect_timeout: 3, backoff: () => 1 });
  try {
    const started = performance.now();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => sql`select 1`));
    const ms = performance.now() - started;
    assert.ok(results.every((r) => r.status === 'rejected' && isUnavailable(r.reason)), 'all refused, as UNAVAILABLE');
    assert.ok(ms < 900, `all failed within the first attempt (${Math.round(ms)} ms)`);
  } finally {
    await sql.end({ timeout: 1 });
  }
});
