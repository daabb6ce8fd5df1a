import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';
import { BIN, ensureBuilt, me, meJson, sandbox } from './support.js';

// Issue 10: an interrupted `me import` of unnamed memories stored one batch twice (the batch in
// flight committed, but the client's checkpoint was written only after the answer). Now every
// memory's id is fixed before sending, so kill -9 at any moment and a re-run store each one once.

const N = 2500;
const BATCH = 10; // many small requests: many moments with a batch in flight
const KILLS = 5;

let s: TestServer;
let box: ReturnType<typeof sandbox>;
let env: Record<string, string>;
before(async () => {
  s = await startTestServer();
  box = sandbox();
  env = { ...box.env, ME_SERVER: s.url, ME_API_KEY: s.key };
  ensureBuilt();
});
after(async () => {
  await s?.close();
  box?.cleanup();
});

const count = async (tree: string) => (await s.call('memory.count', { tree })).count as number;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `me import`, waits until `target` memories are stored plus a random few ms, then kill -9. */
async function importKilledAt(file: string, tree: string, target: number): Promise<number> {
  const child = spawn(process.execPath, [BIN, 'import', file, '--tree', tree, '--batch', String(BATCH)], { env: { ...process.env, ...env }, stdio: 'ignore' });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let finished = false;
  void exited.then(() => { finished = true; });
  while (!finished && (await count(tree)) < target) await sleep(20);
  await sleep(Math.random() * 40); // land anywhere: between requests, or with one in flight
  child.kill('SIGKILL');
  await exited;
  return count(tree);
}

async function killAndFinish(kind: 'named' | 'unnamed') {
  const file = join(box.home, `${kind}.ndjson`);
  const line = (i: number) => JSON.stringify({ ...(kind === 'named' ? { name: `m${i}` } : {}), content: `${kind} memory ${i}`, meta: { i } });
  writeFileSync(file, Array.from({ length: N }, (_, i) => line(i)).join('\n') + '\n');
  const tree = `/kill/${kind}`;
  const seen: number[] = [];
  for (let k = 0; k < KILLS; k++) {
    const stored = await count(tree);
    // A random point in what is left of the import (the first run may die before its first batch).
    const target = stored + Math.floor(Math.random() * ((N - stored) / (KILLS - k)));
    seen.push(await importKilledAt(file, tree, target));
  }
  const last = await me(['import', file, '--tree', tree, '--batch', String(BATCH), '--json'], { env });
  assert.equal(last.code, 0, last.stderr);
  const summary = JSON.parse(last.stdout);
  console.log(`${kind}: stored after each kill -9: ${seen.join(', ')}; the re-run created ${summary.created}, left ${summary.unchanged} unchanged`);
  assert.ok(seen.some((n) => n > 0 && n < N), `some kill landed mid-import (${seen.join(', ')})`);
  assert.equal(await count(tree), N, 'exactly the input\'s memories');
  const sql = s.services.sql;
  const [dupes] = await sql<{ n: number }[]>`select count(*)::int as n from (select content from core.memory
    where tree <@ ${tree.slice(1).replace(/\//g, '.')}::ltree group by content having count(*) > 1) d`;
  assert.equal(dupes!.n, 0, 'no memory stored twice');
  assert.equal(summary.created + summary.unchanged + summary.replaced, N);
  // And once more: a finished import run again changes nothing.
  const again = await meJson(['import', file, '--tree', tree, '--batch', '500'], { env });
  assert.deepEqual([again.created, again.unchanged], [0, N]);
}

describe('me import under kill -9', () => {
  it(`unnamed memories: ${KILLS} kills at random moments, then a re-run stores each exactly once`, async () => {
    await killAndFinish('unnamed');
  });

  it(`named memories: ${KILLS} kills at random moments, then a re-run stores each exactly once`, async () => {
    await killAndFinish('named');
  });
});
