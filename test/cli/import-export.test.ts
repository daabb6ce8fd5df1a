import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';
import { me, meJson, sandbox } from './support.js';

let s: TestServer;
let box: ReturnType<typeof sandbox>;
let env: Record<string, string>;
before(async () => {
  s = await startTestServer();
  box = sandbox();
  env = { ...box.env, ME_SERVER: s.url, ME_API_KEY: s.key };
});
after(async () => {
  await s?.close();
  box?.cleanup();
});

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

describe('me import / export', () => {
  it('imports 5,000 Markdown files and exports them back identical; a re-run is idempotent', async () => {
    const src = join(box.home, 'notes');
    for (let i = 0; i < 5000; i++) {
      const dir = join(src, `area_${i % 7}`, `topic_${i % 13}`);
      mkdirSync(dir, { recursive: true });
      // Three shapes: plain, front matter with meta, front matter with meta and a time (keys in the
      // canonical order export writes: meta alphabetically, then temporal).
      const body = `# Note ${i}\n\nSomething worth remembering, number ${i}.\n`;
      const text =
        i % 3 === 0 ? body
        : i % 3 === 1 ? `---\nn: ${i}\nsource: import-test\n---\n${body}`
        : `---\ntags:\n  - t${i % 5}\ntemporal:\n  start: 2025-01-0${(i % 9) + 1}T00:00:00.000Z\n---\n${body}`;
      writeFileSync(join(dir, `note_${i}.md`), text);
    }
    const first = await meJson(['import', src, '--tree', '/kb'], { env });
    assert.equal(first.items, 5000);
    assert.equal(first.created, 5000);
    assert.ok(first.batches >= 10, `batched (${first.batches} requests)`);
    assert.equal((await meJson(['count', '/kb'], { env })).count, 5000);

    const again = await meJson(['import', src, '--tree', '/kb', '--on-conflict', 'ignore'], { env });
    assert.equal(again.ignored, 5000);
    assert.equal((await meJson(['count', '/kb'], { env })).count, 5000);

    const out = join(box.home, 'export');
    const exported = await meJson(['export', out, '--tree', '/kb'], { env });
    assert.equal(exported.exported, 5000);
    const a = files(src);
    const b = files(join(out, 'kb'));
    assert.equal(b.size, 5000);
    for (const [path, text] of a) assert.equal(b.get(path), text, path);
  });

  it('round-trips json, ndjson and yaml, including unnamed memories', async () => {
    await meJson(['remember', 'named one', '--tree', '/rt', '--name', 'one', '--meta', '{"k":[1,2]}', '--temporal', '{"start":"2025-03-01T12:00:00Z","end":"2025-03-02T00:00:00Z"}'], { env });
    await meJson(['remember', 'unnamed two', '--tree', '/rt/sub'], { env });
    for (const ext of ['json', 'ndjson', 'yaml']) {
      const file = join(box.home, `rt.${ext}`);
      assert.equal((await meJson(['export', file, '--tree', '/rt'], { env })).exported, 2);
      const space = `rt-${ext}`;
      await meJson(['space', 'create', space], { env });
      const r = await meJson(['import', file, '--space', space], { env });
      assert.equal(r.created, 2, ext);
      const back = join(box.home, `back.${ext}`);
      await meJson(['export', back, '--space', space], { env });
      assert.equal(readFileSync(back, 'utf8'), readFileSync(file, 'utf8'), ext);
    }
    const nd = await me(['export', '-', '--tree', '/rt'], { env });
    const lines = nd.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.path), ['/rt/one', '/rt/sub']);
    assert.deepEqual(lines[0].temporal, { start: '2025-03-01T12:00:00.000Z', end: '2025-03-02T00:00:00.000Z' });
  });

  it('a bad memory in a batch fails the import with the server message and how to resume', async () => {
    const file = join(box.home, 'bad.ndjson');
    writeFileSync(file, `{"tree":"/ok","name":"a","content":"fine"}\n{"tree":"/bad path!","name":"b","content":"x"}\n`);
    const r = await me(['import', file], { env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not a valid path/);
    assert.match(r.stderr, /run the same import again to resume/);
    assert.equal((await meJson(['count', '/ok'], { env })).count, 0, 'the batch is all or nothing');
  });

  it('an interrupted import resumes without storing unnamed memories twice', async () => {
    const file = join(box.home, 'unnamed.ndjson');
    const line = (i: number, tree = '/resume') => JSON.stringify({ tree, content: `unnamed ${i}` });
    writeFileSync(file, [line(1), line(2), line(3), line(4, '/bad tree'), line(5)].join('\n') + '\n');
    const failed = await me(['import', file, '--batch', '2'], { env });
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /2 of 5 were imported before this batch/);
    assert.equal((await meJson(['count', '/resume'], { env })).count, 2);
    writeFileSync(file, [line(1), line(2), line(3), line(4), line(5)].join('\n') + '\n'); // fixed
    const resumed = await me(['import', file, '--batch', '2', '--json'], { env });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /Resuming: 2 memories/);
    assert.equal(JSON.parse(resumed.stdout).created, 3);
    assert.equal((await meJson(['count', '/resume'], { env })).count, 5);
  });
});
