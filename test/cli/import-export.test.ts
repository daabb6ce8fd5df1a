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
    assert.equal(again.unchanged, 5000, 'the same ids with the same content: left as they are');
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
      assert.deepEqual([r.created, r.renumbered], [2, 2], ext);
      const back = join(box.home, `back.${ext}`);
      await meJson(['export', back, '--space', space], { env });
      // The same memories; the ids belong to the first space, so the copies got their own.
      const withoutIds = (text: string) => text.replace(/"?id"?: ?"?[0-9a-f-]{36}"?,?\n? */g, '');
      assert.equal(withoutIds(readFileSync(back, 'utf8')), withoutIds(readFileSync(file, 'utf8')), ext);
      assert.notEqual(readFileSync(back, 'utf8'), readFileSync(file, 'utf8'), ext);
      // Imported back where it came from, an export stores nothing twice, unnamed memories included.
      const again = await meJson(['import', file], { env });
      assert.deepEqual([again.created, again.unchanged, again.renumbered], [0, 2, 0], ext);
      const twice = await meJson(['import', back, '--space', space], { env });
      assert.deepEqual([twice.created, twice.unchanged], [0, 2], ext);
    }
    // Markdown keeps an unnamed memory's id in its file name (<id>.md); named ones are their path.
    const md = join(box.home, 'rt-md');
    await meJson(['export', md, '--tree', '/rt'], { env });
    const mdAgain = await meJson(['import', md], { env });
    assert.deepEqual([mdAgain.created, mdAgain.unchanged], [0, 2]);
    assert.equal((await meJson(['count', '/rt'], { env })).count, 2);
    const nd = await me(['export', '-', '--tree', '/rt'], { env });
    const lines = nd.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.path), ['/rt/one', '/rt/sub']);
    assert.match(lines[1].id, /^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    assert.deepEqual(lines[0].temporal, { start: '2025-03-01T12:00:00.000Z', end: '2025-03-02T00:00:00.000Z' });
  });

  it('an invalid memory stops the import before anything is written, naming its file and line; --dry-run finds the same', async () => {
    const file = join(box.home, 'bad.ndjson');
    writeFileSync(file, `{"tree":"/ok","name":"a","content":"fine"}\n\n{"tree":"/bad path!","name":"b","content":"x"}\n{"tree":"/ok","content":"t","temporal":{"start":"next week"}}\n`);
    for (const args of [[file], [file, '--dry-run']]) {
      const r = await me(['import', ...args], { env });
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, /2 problems in the input; nothing was imported/);
      assert.match(r.stderr, /bad\.ndjson:3: tree: "\/bad path!" is not a valid path/);
      assert.match(r.stderr, /bad\.ndjson:4: temporal: start: "next week" is not a date or time/);
    }
    assert.equal((await meJson(['count', '/ok'], { env })).count, 0);

    const json = join(box.home, 'bad.json');
    writeFileSync(json, JSON.stringify([{ tree: '/ok', content: 'a' }, { tree: '/ok', content: 'b', temporal: '2026-02-30' }], null, 2));
    const j = await me(['import', json, '--dry-run'], { env });
    assert.match(j.stderr, /bad\.json:6: temporal: "2026-02-30" is not a real date/);

    const md = join(box.home, 'md-bad');
    mkdirSync(md);
    writeFileSync(join(md, 'ok.md'), '---\ntemporal: 2026-11-01T10:00:00Z\n---\nfine\n');
    writeFileSync(join(md, 'late.md'), '---\nsource: x\ntemporal: sometime\n---\nbody\n');
    const m = await me(['import', md, '--dry-run'], { env });
    assert.equal(m.code, 1);
    assert.match(m.stderr, /late\.md:3: temporal: "sometime" is not a date or time/);
  });

  it('a failure only the server sees (a taken path with --on-conflict error) keeps the batch all or nothing and says how to resume', async () => {
    await meJson(['remember', 'already here', '--tree', '/taken', '--name', 'b'], { env });
    const file = join(box.home, 'taken.ndjson');
    writeFileSync(file, `{"tree":"/taken","name":"a","content":"fine"}\n{"tree":"/taken","name":"b","content":"x"}\n`);
    const r = await me(['import', file, '--on-conflict', 'error'], { env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /collides with an existing path/);
    assert.match(r.stderr, /run the same import again to resume/);
    assert.equal((await meJson(['count', '/taken'], { env })).count, 1, 'the batch is all or nothing');
  });

  it('an interrupted import resumes without storing unnamed memories twice', async () => {
    await meJson(['remember', 'in the way', '--tree', '/resume', '--name', 'blocker'], { env });
    const file = join(box.home, 'unnamed.ndjson');
    const line = (i: number) => JSON.stringify({ tree: '/resume', content: `unnamed ${i}` });
    const blocked = JSON.stringify({ tree: '/resume', name: 'blocker', content: 'mine' });
    writeFileSync(file, [line(1), line(2), line(3), blocked, line(5)].join('\n') + '\n');
    const failed = await me(['import', file, '--batch', '2', '--on-conflict', 'error'], { env });
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /2 of 5 were imported before this batch \(starting at .*unnamed\.ndjson:3\)/);
    assert.equal((await meJson(['count', '/resume'], { env })).count, 3);
    await meJson(['rm', '/resume/blocker'], { env }); // the obstacle is cleared
    const resumed = await me(['import', file, '--batch', '2', '--on-conflict', 'error', '--json'], { env });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual([JSON.parse(resumed.stdout).created, JSON.parse(resumed.stdout).unchanged], [3, 2]);
    assert.equal((await meJson(['count', '/resume'], { env })).count, 5);
    // Finished, the same import again is a no-op too (the ids are derived from the input).
    const done = await meJson(['import', file, '--batch', '2', '--on-conflict', 'error'], { env });
    assert.deepEqual([done.created, done.unchanged], [0, 5]);
    assert.equal((await meJson(['count', '/resume'], { env })).count, 5);
  });

  it('re-importing unchanged files changes nothing: reported as unchanged, no new versions', async () => {
    const dir = join(box.home, 'again');
    mkdirSync(join(dir, 'work'), { recursive: true });
    writeFileSync(join(dir, 'work', 'My Notes.md'), '---\ntemporal: 2026-11-01\ntags: [a]\n---\nnotes\n');
    writeFileSync(join(dir, 'work', 'plan.md'), 'the plan\n');
    const first = await me(['import', dir, '--tree', '/imported', '--json'], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).created, 2);
    assert.match(first.stderr, /1 file name was changed into valid memory names/);
    assert.match(first.stderr, /work\/My Notes\.md → \/imported\/work\/My_Notes/);
    const before = await meJson(['get', '/imported/work/My_Notes'], { env });
    assert.deepEqual(before.temporal, { start: '2026-11-01T00:00:00.000Z', end: null });

    const again = await me(['import', dir, '--tree', '/imported'], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Imported 2 memories: 0 created, 0 replaced, 2 unchanged/);
    const after = await meJson(['get', '/imported/work/My_Notes'], { env });
    assert.equal(after.version, before.version);
    assert.equal(after.updatedAt, before.updatedAt);
    assert.equal((await meJson(['history', '/imported/work/My_Notes'], { env })).events.length, 1);

    writeFileSync(join(dir, 'work', 'plan.md'), 'the new plan\n');
    const changed = await meJson(['import', dir, '--tree', '/imported'], { env });
    assert.deepEqual([changed.created, changed.replaced, changed.unchanged], [0, 1, 1]);
  });

  it('two files that map to the same name are reported before anything is written', async () => {
    const dir = join(box.home, 'clash');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a b.md'), 'one\n');
    writeFileSync(join(dir, 'a_b.md'), 'two\n');
    const r = await me(['import', dir, '--tree', '/clash'], { env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /a_b\.md: \/clash\/a_b is also the path of .*a b\.md/);
    assert.equal((await meJson(['count', '/clash'], { env })).count, 0);
  });
});
