import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { loadConfig } from '../../server/config.js';
import { backoffMs } from '../../server/embeddings/worker.js';
import { startServer } from '../../server/start.js';
import { freshDatabase } from '../support/db.js';
import { startEmbeddingStub, type EmbeddingStub } from '../support/embedding-stub.js';
import { principalWithKey } from '../support/principals.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DIMS = 256;
const embeddingEnv = (stub: EmbeddingStub, model = 'stub-bow', dims = DIMS) => ({
  ME_EMBEDDING_URL: stub.url,
  ME_EMBEDDING_MODEL: model,
  ME_EMBEDDING_DIMENSIONS: String(dims),
  ME_EMBEDDING_API_KEY: 'sk-test-secret',
  ME_EMBEDDING_POLL_MS: '20',
  ME_EMBEDDING_RETRY_MS: '50',
});

let stub: EmbeddingStub;
let s: TestServer;
let vector: boolean;
before(async () => {
  stub = await startEmbeddingStub();
  s = await startTestServer({ env: embeddingEnv(stub) });
  vector = s.services.features.vector;
});
after(async () => {
  await s?.close();
  await stub?.close();
});

/** Polls until `check` returns something truthy (a guard against hanging, not a timing assertion). */
async function until<T>(what: string, check: () => Promise<T>): Promise<NonNullable<T>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}
const status = () => s.call('embeddings.status', {});
const drained = () => until('the embedding queue to drain', async () => (await status()).pending === 0);
const ids = (r: { results: { id: string }[] }) => r.results.map((x) => x.id);

function needsVector(t: TestContext) {
  if (!vector) t.skip('this database has no pgvector');
  return vector;
}

describe('semantic and hybrid search (pgvector)', () => {
  it('writes return before their embedding; the worker embeds them in the background', async (t) => {
    if (!needsVector(t)) return;
    const release = stub.hold();
    const arrived = stub.nextRequest();
    const car = await s.call('memory.create', { tree: '/garage', name: 'car', content: 'My car needs new tyres' });
    assert.deepEqual(await arrived, ['My car needs new tyres']);
    // The provider has not answered: the memory is stored, readable and found by keyword.
    assert.equal((await s.call('memory.get', { id: car.id })).content, 'My car needs new tyres');
    assert.deepEqual(ids(await s.call('memory.search', { query: 'tyres', mode: 'keyword' })), [car.id]);
    const st = await status();
    assert.equal(st.pending, 1);
    assert.equal(st.available, true);
    release();
    await drained();
    const [row] = await s.services.sql<{ embedded: boolean; version: number }[]>`
      select embedding is not null as embedded, version from core.memory where id = ${car.id}`;
    assert.deepEqual(row, { embedded: true, version: 1 }, 'storing the embedding keeps the version');
    const history = await s.call('memory.history', { id: car.id });
    assert.equal(history.events.length, 1, 'storing the embedding writes no history');
    const req = stub.requests.at(-1)!;
    assert.equal(req.model, 'stub-bow');
    assert.equal(req.dimensions, DIMS);
    assert.equal(req.authorization, 'Bearer sk-test-secret');
  });

  it('semantic search finds by meaning, with cosine scores in [0,1] and no zero-score rows', async (t) => {
    if (!needsVector(t)) return;
    await s.call('memory.batchCreate', {
      memories: [
        { tree: '/garage', name: 'overheat', content: 'The automobile engine overheats on hills', meta: { kind: 'fault' } },
        { tree: '/garage', name: 'rotation', content: 'Rotate the truck tyres every spring', meta: { kind: 'chore' } },
        { tree: '/kitchen', name: 'bread', content: 'Bake sourdough bread in a hot oven', meta: { kind: 'chore' } },
        { tree: '/kitchen', name: 'roar', content: 'Engines everywhere roar' },
        { tree: '/workshop', name: 'hum', content: 'The old motor hums quietly at night' },
      ],
    });
    await drained();
    assert.equal((await s.call('memory.search', { query: 'vehicle', mode: 'keyword' })).results.length, 0, 'no memory contains the word');
    const found = await s.call('memory.search', { query: 'vehicle', mode: 'semantic', fields: ['content'] });
    assert.equal(found.mode, 'semantic');
    assert.equal(found.embeddingsPending, 0);
    assert.deepEqual(found.results.map((r: any) => r.path).sort(), ['/garage/car', '/garage/overheat', '/garage/rotation']);
    for (const r of found.results) assert.ok(r.score > 0 && r.score <= 1, `score ${r.score} in (0,1]`);
    const scores = found.results.map((r: any) => r.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'best first');
    assert.ok(found.results.every((r: any) => typeof r.snippet === 'string' && r.content), 'snippet-first, content on request');
    const exact = await s.call('memory.search', { query: 'Bake sourdough bread in a hot oven', mode: 'semantic', limit: 1 });
    assert.equal(exact.results[0].path, '/kitchen/bread');
    assert.ok(Math.abs(exact.results[0].score - 1) < 1e-6, 'the same text has similarity 1');
  });

  it('pages semantic results with the cursor', async (t) => {
    if (!needsVector(t)) return;
    const first = await s.call('memory.search', { query: 'vehicle', mode: 'semantic', limit: 2 });
    assert.equal(first.results.length, 2);
    assert.ok(first.nextCursor);
    const second = await s.call('memory.search', { query: 'vehicle', mode: 'semantic', limit: 2, cursor: first.nextCursor });
    assert.equal(second.results.length, 1);
    assert.equal(second.nextCursor, null);
    assert.equal(new Set([...ids(first), ...ids(second)]).size, 3);
  });

  it('hybrid fuses the keyword and semantic rankings (RRF) and auto uses it', async (t) => {
    if (!needsVector(t)) return;
    const path = async (p: string) => (await s.call('memory.getByPath', { path: p })).id as string;
    const [overheat, roar, hum] = [await path('/garage/overheat'), await path('/kitchen/roar'), await path('/workshop/hum')];
    const keyword = ids(await s.call('memory.search', { query: 'engine', mode: 'keyword' }));
    const semantic = ids(await s.call('memory.search', { query: 'engine', mode: 'semantic' }));
    assert.deepEqual(keyword.sort(), [overheat, roar].sort(), 'keyword stems "engines"');
    assert.deepEqual(semantic.sort(), [overheat, hum].sort(), 'semantic knows a motor is an engine');
    const hybrid = await s.call('memory.search', { query: 'engine', mode: 'hybrid' });
    assert.equal(hybrid.mode, 'hybrid');
    assert.deepEqual(ids(hybrid).sort(), [overheat, roar, hum].sort(), 'the union, nothing padded');
    assert.equal(hybrid.results[0].id, overheat, 'found by both rankings: first');
    for (const r of hybrid.results) assert.ok(r.score > 0 && r.score <= 1);
    assert.ok(hybrid.results[0].score > hybrid.results[1].score);
    assert.equal(hybrid.embeddingsPending, 0);

    const keywordOnly = await s.call('memory.search', { query: 'engine', mode: 'hybrid', weights: { semantic: 0 } });
    assert.deepEqual(ids(keywordOnly).sort(), [overheat, roar].sort());
    const semanticHeavy = await s.call('memory.search', { query: 'engine', mode: 'hybrid', weights: { keyword: 0.1, semantic: 5 } });
    assert.equal(semanticHeavy.results.at(-1).id, roar, 'a keyword-only hit sinks when keyword weighs little');
    const none = await s.fail('memory.search', { query: 'engine', mode: 'hybrid', weights: { keyword: 0, semantic: 0 } });
    assert.equal(none.data?.code, 'VALIDATION_ERROR');
    assert.match(none.message, /weights/);

    const auto = await s.call('memory.search', { query: 'engine' });
    assert.equal(auto.mode, 'hybrid');
    assert.deepEqual(ids(auto), ids(hybrid));
  });

  it('filters and grants apply to semantic and hybrid search', async (t) => {
    if (!needsVector(t)) return;
    const inGarage = await s.call('memory.search', { query: 'engine', mode: 'semantic', tree: '/garage' });
    assert.deepEqual(inGarage.results.map((r: any) => r.path), ['/garage/overheat']);
    const chores = await s.call('memory.search', { query: 'vehicle', mode: 'hybrid', meta: { kind: 'chore' } });
    assert.deepEqual(chores.results.map((r: any) => r.path), ['/garage/rotation']);
    const faults = await s.call('memory.search', { query: 'vehicle', mode: 'semantic', where: '$.kind == "fault"' });
    assert.deepEqual(faults.results.map((r: any) => r.path), ['/garage/overheat']);

    const bob = await principalWithKey(s, 'bob-semantic');
    await s.call('grant.set', { principal: bob.id, tree: '/workshop', level: 'read' });
    for (const mode of ['semantic', 'hybrid']) {
      const seen = await s.call('memory.search', { query: 'engine', mode, space: 'default' }, { key: bob.key });
      assert.deepEqual(seen.results.map((r: any) => r.path), ['/workshop/hum'], `${mode}: only what bob can read`);
    }
    // Pending work is counted only where bob can read.
    const release = stub.hold((texts) => texts.includes('a pending car note'));
    await s.call('memory.create', { tree: '/garage', content: 'a pending car note' });
    assert.equal((await s.call('embeddings.status', { space: 'default' }, { key: bob.key })).pending, 0);
    assert.equal((await status()).pending, 1);
    const pending = await s.call('memory.search', { query: 'car', mode: 'semantic' });
    assert.equal(pending.embeddingsPending, 1, 'the caller learns semantic results may miss a memory');
    release();
    await drained();
  });

  it('a stale version is never written: the newer text gets embedded', async (t) => {
    if (!needsVector(t)) return;
    const release = stub.hold();
    const arrived = stub.nextRequest();
    const m = await s.call('memory.create', { tree: '/stale', content: 'alpha words here' });
    assert.deepEqual(await arrived, ['alpha words here']);
    // The worker is waiting for the provider with the old text, and holds no transaction.
    const u = await s.call('memory.update', { id: m.id, version: 1, content: 'omega text there' });
    assert.equal(u.version, 2);
    release();
    await drained();
    assert.ok(stub.requests.some((r) => r.input.includes('omega text there')));
    const omega = await s.call('memory.search', { query: 'omega', mode: 'semantic', tree: '/stale' });
    assert.deepEqual(ids(omega), [m.id]);
    const alpha = await s.call('memory.search', { query: 'alpha', mode: 'semantic', tree: '/stale' });
    assert.deepEqual(ids(alpha), [], 'the embedding of the old text was discarded');

    // A change that keeps the text (a move) does not re-embed it.
    const before = stub.requests.length;
    await s.call('memory.move', { from: '/stale', to: '/fresh' });
    assert.equal((await status()).pending, 0);
    assert.equal(stub.requests.length, before);
  });

  it('a provider failure is retried with backoff, then succeeds', async (t) => {
    if (!needsVector(t)) return;
    stub.failWith = 500;
    const m = await s.call('memory.create', { tree: '/retry', content: 'zebra crossing ahead' });
    const st = await until('a recorded failure', async () => { const x = await status(); return x.failing === 1 && x; });
    assert.equal(st.pending, 1);
    assert.match(st.lastError, /500/);
    assert.ok(st.lastErrorAt);
    const job = await until('a second attempt', async () => {
      const [row] = await s.services.sql<{ attempts: number; gap_ms: number }[]>`
        select attempts, extract(epoch from run_after - last_error_at)::float8 * 1000 as gap_ms
        from core.embedding_queue where memory_id = ${m.id} and attempts >= 2`;
      return row;
    });
    assert.ok(job.gap_ms >= 50, `the next attempt waits (${job.gap_ms} ms)`);
    // While the provider is down, semantic search says so; auto answers by keyword.
    const down = await s.fail('memory.search', { query: 'zebra', mode: 'semantic' });
    assert.equal(down.data?.code, 'UNAVAILABLE');
    assert.match(down.message, /could not embed the query.*keyword/);
    const auto = await s.call('memory.search', { query: 'zebra' });
    assert.equal(auto.mode, 'keyword');
    assert.deepEqual(ids(auto), [m.id]);

    stub.failWith = null;
    await drained();
    const st2 = await status();
    assert.deepEqual([st2.failing, st2.lastError], [0, null]);
    assert.deepEqual(ids(await s.call('memory.search', { query: 'zebra', mode: 'semantic' })), [m.id]);
  });

  it('a text the provider rejects does not hold back the rest of its batch', async (t) => {
    if (!needsVector(t)) return;
    stub.rejectIf = (text) => text.includes('poison');
    const batch = await s.call('memory.batchCreate', {
      memories: [{ tree: '/batch', content: 'giraffe facts' }, { tree: '/batch', content: 'poison pill' }],
    });
    await until('the good text embedded', async () => (await status()).pending === 1);
    const st = await until('the bad text failing', async () => { const x = await status(); return x.failing === 1 && x; });
    assert.match(st.lastError, /400/);
    assert.deepEqual(ids(await s.call('memory.search', { query: 'giraffe', mode: 'semantic' })), [batch.ids[0]]);
    stub.rejectIf = null;
    await drained();
  });

  it('retry delays double per attempt up to a cap', () => {
    assert.deepEqual([1, 2, 3, 4, 10].map((a) => backoffMs(a, 50, 1000)), [50, 100, 200, 400, 1000]);
  });

  it('a new model re-queues every memory; new dimensions rebuild the column; shutdown hands jobs back', async (t) => {
    if (!needsVector(t)) return;
    const db = await freshDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'me-test-'));
    const config = (model: string, dims: number) =>
      loadConfig({ ME_DATA_DIR: dataDir, ME_PORT: '0', ME_LOG_LEVEL: 'silent', ...embeddingEnv(stub, model, dims) });
    const sql = db.sql;
    const queued = async () => (await sql<{ n: number }[]>`select count(*)::int as n from core.embedding_queue`)[0]!.n;
    try {
      const a = await startServer(config('model-one', DIMS), { database: db });
      const [space] = await sql<{ id: string }[]>`select id from core.space where slug = 'default'`;
      await sql`insert into core.memory (space_id, tree, content) values (${space!.id}, 'm', 'first memory text'), (${space!.id}, 'm', 'second memory text')`;
      await until('model one embedded both', async () => (await queued()) === 0);
      await a.close();

      const release = stub.hold();
      const arrived = stub.nextRequest();
      const b = await startServer(config('model-two', DIMS), { database: db });
      assert.equal(await queued(), 2, 'everything is queued again');
      const [counts] = await sql<{ embedded: number }[]>`select count(embedding)::int as embedded from core.memory`;
      assert.equal(counts!.embedded, 0, 'vectors of the old model are gone');
      const [setting] = await sql<{ value: { model: string } }[]>`select value from core.setting where key = 'embedding'`;
      assert.equal(setting!.value.model, 'model-two');
      await arrived;
      await b.close(); // while the provider call is in flight
      const jobs = await sql<{ attempts: number; due: boolean }[]>`select attempts, run_after <= now() as due from core.embedding_queue`;
      assert.deepEqual([...jobs], [{ attempts: 0, due: true }, { attempts: 0, due: true }], 'shutdown handed the jobs back');
      release();

      const c = await startServer(config('model-two', 128), { database: db });
      const [col] = await sql<{ type: string }[]>`select format_type(atttypid, atttypmod) as type from pg_attribute
        where attrelid = 'core.memory'::regclass and attname = 'embedding'`;
      assert.equal(col!.type, 'vector(128)');
      await until('model two embedded both', async () => (await queued()) === 0);
      assert.ok(stub.requests.some((r) => r.model === 'model-two' && r.dimensions === 128 && r.input.includes('first memory text')));
      const [after] = await sql<{ embedded: number }[]>`select count(embedding)::int as embedded from core.memory`;
      assert.equal(after!.embedded, 2);
      await c.close();
    } finally {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('without pgvector (e.g. Debian Postgres 15)', () => {
  it('semantic and hybrid answer UNAVAILABLE naming pgvector; auto and writes work', async (t) => {
    if (vector) return t.skip('this database has pgvector');
    const m = await s.call('memory.create', { tree: '/plain', content: 'keyword search still works' });
    for (const mode of ['semantic', 'hybrid']) {
      const err = await s.fail('memory.search', { query: 'keyword', mode });
      assert.equal(err.data?.code, 'UNAVAILABLE');
      assert.match(err.message, new RegExp(`${mode} search needs the pgvector extension`));
    }
    const auto = await s.call('memory.search', { query: 'keyword' });
    assert.equal(auto.mode, 'keyword');
    assert.deepEqual(ids(auto), [m.id]);
    const st = await status();
    assert.deepEqual(
      [st.available, st.configured, st.vector, st.pending, st.model],
      [false, true, false, 0, 'stub-bow'],
    );
    const [q] = await s.services.sql<{ n: number }[]>`select count(*)::int as n from core.embedding_queue`;
    assert.equal(q!.n, 0, 'nothing is queued where nothing can embed');
  });
});

describe('without an embedding provider', () => {
  it('semantic search names what to configure (or install); auto is keyword', async () => {
    const plain = await startTestServer();
    try {
      const err = await plain.fail('memory.search', { query: 'anything', mode: 'semantic' });
      assert.equal(err.data?.code, 'UNAVAILABLE');
      assert.match(err.message, plain.services.features.vector ? /ME_EMBEDDING_URL/ : /pgvector/);
      assert.equal((await plain.call('memory.search', { query: 'anything' })).mode, 'keyword');
      const st = await plain.call('embeddings.status', {});
      assert.deepEqual([st.available, st.configured, st.model, st.dimensions], [false, false, null, null]);
    } finally {
      await plain.close();
    }
  });
});

describe('the OpenAI-compatible provider', () => {
  it('returns one vector per text, in order, and explains failures', async () => {
    const { openAICompatible, EmbeddingError } = await import('../../server/embeddings/provider.js');
    const p = openAICompatible({ url: stub.url, model: 'm', dimensions: 32 });
    const [a, b] = await p.embed(['car', 'bake bread']);
    assert.equal(a!.length, 32);
    assert.ok(Math.abs(Math.hypot(...a!) - 1) < 1e-9);
    assert.notDeepEqual(a, b);

    stub.rejectIf = (t) => t === 'too long';
    const rejected = await p.embed(['too long']).catch((e) => e);
    stub.rejectIf = null;
    assert.ok(rejected instanceof EmbeddingError && rejected.rejectedInput);
    assert.match(rejected.message, /answered 400/);

    const nowhere = openAICompatible({ url: 'http://127.0.0.1:9/v1', model: 'm', dimensions: 32 });
    assert.match((await nowhere.embed(['x']).catch((e) => e)).message, /unreachable/);
    stub.forceDimensions = 16;
    const wrongSize = await p.embed(['x']).catch((e) => e);
    stub.forceDimensions = null;
    assert.match(wrongSize.message, /returned 16 dimensions, expected 32 \(ME_EMBEDDING_DIMENSIONS\)/);
    const notApi = openAICompatible({ url: stub.url.replace(/\/v1$/, ''), model: 'm', dimensions: 32 });
    assert.match((await notApi.embed(['x']).catch((e) => e)).message, /answered 404/);
  });
});
