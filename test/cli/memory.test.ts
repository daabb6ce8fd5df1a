import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { keyFor } from '../support/principals.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { me, meJson, sandbox } from './support.js';

// The real `me` binary (compiled) against a real server on the embedded database, with an API key.
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

describe('me memory commands', () => {
  it('create, get by path and id, search, tree, count', async () => {
    const created = await meJson(['memory', 'create', 'Deploys happen on Tuesdays', '--tree', '/team/process', '--name', 'deploys', '--meta', '{"source":"wiki"}'], { env });
    assert.equal(created.outcome, 'created');
    assert.equal(created.path, '/team/process/deploys');
    const fromStdin = await meJson(['remember', '--tree', '/team/notes', '--name', 'standup'], { env, input: 'Standup is at 9:30\n' });
    assert.equal(fromStdin.content, 'Standup is at 9:30\n');

    const byPath = await meJson(['get', '/team/process/deploys'], { env });
    assert.equal(byPath.id, created.id);
    assert.deepEqual(byPath.meta, { source: 'wiki' });
    const byId = await me(['memory', 'get', created.id], { env });
    assert.equal(byId.code, 0);
    assert.match(byId.stdout, /\/team\/process\/deploys/);
    assert.match(byId.stdout, /Deploys happen on Tuesdays/);

    const hits = await meJson(['search', 'deploys', 'tuesdays'], { env });
    assert.deepEqual(hits.results.map((r: { id: string }) => r.id), [created.id]);
    const human = await me(['search', 'standup'], { env });
    assert.match(human.stdout, /\/team\/notes\/standup/);

    const tree = await meJson(['tree', '/team', '--levels', '2'], { env });
    assert.equal(tree.count, 2);
    assert.deepEqual(tree.children.map((c: { path: string }) => c.path).sort(), ['/team/notes', '/team/process']);
    const drawn = await me(['tree'], { env });
    assert.match(drawn.stdout, /└─ team \(2\)/);
    assert.equal((await me(['count', '/team'], { env })).stdout.trim(), '2');
  });

  it('mv, history, revert, update with a version, yaml output', async () => {
    await meJson(['remember', 'v1 text', '--tree', '/inbox', '--name', 'idea'], { env });
    const moved = await meJson(['mv', '/inbox', '/projects/alpha/inbox'], { env });
    assert.deepEqual(moved, { count: 1, dryRun: false });
    const updated = await meJson(['memory', 'update', '/projects/alpha/inbox/idea', '--version', '2', '--content', 'v3 text'], { env });
    assert.equal(updated.version, 3);
    const stale = await me(['memory', 'update', '/projects/alpha/inbox/idea', '--version', '2', '--content', 'lost'], { env });
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /CONFLICT/);

    const history = await meJson(['history', '/projects/alpha/inbox/idea'], { env });
    assert.deepEqual(history.events.map((e: { version: number }) => e.version), [3, 2, 1]);
    assert.equal(history.events[2].snapshot.path, '/inbox/idea');

    const reverted = await meJson(['revert', '/projects/alpha/inbox/idea', '3'], { env });
    assert.equal(reverted.content, 'v3 text');
    const back = await meJson(['revert', reverted.id, '--version', '1'], { env });
    assert.equal(back.content, 'v1 text');
    assert.equal(back.path, '/inbox/idea');
    const yaml = await me(['get', '/inbox/idea', '--yaml'], { env });
    assert.match(yaml.stdout, /^content: v1 text$/m);
  });

  it('edit opens $EDITOR and saves with the version it read', async () => {
    await meJson(['remember', 'Lunch on Tuesdays', '--tree', '/edit', '--name', 'lunch'], { env });
    const edited = await meJson(['edit', '/edit/lunch'], { env: { ...env, EDITOR: 'sed -i s/Tuesdays/Fridays/' } });
    assert.equal(edited.content, 'Lunch on Fridays');
    assert.equal(edited.version, 2);
    const unchanged = await me(['edit', '/edit/lunch'], { env: { ...env, EDITOR: 'true' } });
    assert.equal(unchanged.code, 0);
    assert.match(unchanged.stdout, /No change/);
  });

  it('rm, rm -r with a dry run, cp', async () => {
    await meJson(['remember', 'a', '--tree', '/scratch/x', '--name', 'a'], { env });
    await meJson(['remember', 'b', '--tree', '/scratch/y', '--name', 'b'], { env });
    assert.deepEqual(await meJson(['cp', '/scratch', '/scratch_copy'], { env }), { count: 2, dryRun: false });
    assert.deepEqual(await meJson(['rm', '-r', '/scratch', '--dry-run'], { env }), { count: 2, dryRun: true, ids: [] });
    assert.equal((await meJson(['rm', '/scratch/x/a'], { env })).deleted, true);
    const removed = await meJson(['rm', '-r', '/scratch', '--yes'], { env });
    assert.deepEqual([removed.count, removed.dryRun, removed.ids.length], [1, false, 1]);
    assert.equal((await meJson(['count', '/scratch_copy'], { env })).count, 2);
  });

  it('rm -r prints the ids; trash lists them; restore brings them back; history by path and by tree', async () => {
    await meJson(['remember', 'first', '--tree', '/bin/a', '--name', 'one'], { env });
    await meJson(['remember', 'second', '--tree', '/bin/b'], { env });
    const rm = await me(['rm', '-r', '/bin', '--yes'], { env });
    assert.equal(rm.code, 0);
    const printed = rm.stdout.match(/[0-9a-f]{8}-[0-9a-f-]{27}/g) ?? [];
    assert.equal(printed.length, 2, `the ids are printed: ${rm.stdout}`);
    const trash = await me(['trash', '/bin'], { env });
    assert.match(trash.stdout, /\/bin\/a\/one/);
    assert.match(trash.stdout, /owner/);
    const gone = await meJson(['history', '/bin/a/one'], { env });
    assert.deepEqual(gone.events.map((e: { op: string }) => e.op), ['delete', 'insert'], 'history by path works once deleted');
    const one = await meJson(['restore', '/bin/a/one'], { env });
    assert.equal(one.count, 1);
    const rest = await me(['restore', '--tree', '/bin'], { env });
    assert.match(rest.stdout, /Restored 1 memory/);
    assert.equal((await meJson(['count', '/bin'], { env })).count, 2);
    const feed = await meJson(['history', '--tree', '/bin'], { env });
    assert.deepEqual(feed.events.map((e: { op: string }) => e.op), ['insert', 'insert', 'delete', 'delete', 'insert', 'insert']);
    const human = await me(['history', '--tree', '/bin', '--limit', '2'], { env });
    assert.match(human.stdout, /Older changes: --cursor/);
    const ids = await meJson(['trash', '/bin'], { env });
    assert.equal(ids.items.length, 0);
    const usage = await me(['restore'], { env });
    assert.equal(usage.code, 2);
  });

  it('every command answers --json with parseable JSON', async () => {
    for (const args of [['whoami'], ['space', 'list'], ['grant', 'list'], ['apikey', 'list'], ['status'], ['version'], ['tree'], ['count'], ['search']]) {
      const r = await me([...args, '--json'], { env });
      assert.equal(r.code, 0, `me ${args.join(' ')}: ${r.stderr}`);
      assert.doesNotThrow(() => JSON.parse(r.stdout), `me ${args.join(' ')} --json printed: ${r.stdout}`);
    }
  });
});

describe('me errors: a clear message on stderr and the exit code', () => {
  it('wrong space → 1', async () => {
    const r = await me(['tree', '--space', 'no-such-space'], { env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /space "no-such-space" not found/);
    assert.match(r.stderr, /hint: .*me space list/);
    assert.equal(r.stdout, '');
  });

  it('bad path → 2 before anything is sent, with did-you-mean when only spaces are wrong; unknown path → 1', async () => {
    const bad = await me(['tree', '/not a/valid-path'], { env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a valid path: label "not a" may only contain letters, digits and _/);
    assert.match(bad.stderr, /did you mean \/not_a\/valid_path\?/);
    const missing = await me(['get', '/nothing/here'], { env });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /not found \(NOT_FOUND\)/);
  });

  it('missing file → 1', async () => {
    const r = await me(['import', join(box.home, 'nope.ndjson')], { env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no such file or directory: .*nope\.ndjson/);
  });

  it('usage errors → 2', async () => {
    const unknown = await me(['frobnicate'], { env });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command/);
    const notNumber = await me(['search', '--limit', 'many'], { env });
    assert.equal(notNumber.code, 2);
    assert.match(notNumber.stderr, /--limit expects a number/);
    const badJson = await me(['remember', 'x', '--meta', '{oops'], { env });
    assert.equal(badJson.code, 2);
    assert.match(badJson.stderr, /--meta expects JSON/);
  });

  it('hints come from the reason: a restricted key is told the restriction is why', async () => {
    const owner = (await s.call('whoami', {})).id;
    const key = await keyFor(s, owner, { restriction: [{ space: null, tree: 'team', level: 2 }] });
    const outside = await me(['remember', 'x', '--tree', '/elsewhere'], { env: { ...env, ME_API_KEY: key } });
    assert.equal(outside.code, 1);
    assert.match(outside.stderr, /restricted to \/team \(write\)/);
    assert.match(outside.stderr, /hint: .*restricted/);
    assert.doesNotMatch(outside.stderr, /me grant list/);
    const admin = await me(['space', 'create', 'nope'], { env: { ...env, ME_API_KEY: key } });
    assert.equal(admin.code, 1);
    assert.match(admin.stderr, /hint: .*restricted/);
  });

  it('a bad API key → 1 with a sign-in hint; no server → 1', async () => {
    const r = await me(['whoami'], { env: { ...env, ME_API_KEY: 'me.bogus.bogus' } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /UNAUTHORIZED/);
    assert.match(r.stderr, /hint: .*me login/);
    const down = await me(['whoami'], { env: { ...env, ME_SERVER: 'http://127.0.0.1:9' } });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});

describe('me configuration', () => {
  it('space use writes the config; ME_SPACE and --space override it', async () => {
    const cfg = sandbox();
    const e = { ...cfg.env, ME_SERVER: s.url, ME_API_KEY: s.key };
    try {
      await meJson(['space', 'create', 'cfg-test'], { env: e });
      await meJson(['space', 'use', 'cfg-test'], { env: e });
      await meJson(['remember', 'in cfg-test', '--tree', '/cfg', '--name', 'one'], { env: e });
      assert.equal((await meJson(['count', '/cfg'], { env: e })).count, 1);
      assert.equal((await meJson(['count', '/cfg', '--space', 'default'], { env: e })).count, 0);
      assert.equal((await meJson(['count', '/cfg'], { env: { ...e, ME_SPACE: 'default' } })).count, 0);
      // The server comes from the config file when ME_SERVER is unset.
      writeFileSync(join(cfg.env.XDG_CONFIG_HOME!, 'me', 'config.yaml'), `server: "${s.url}"\nspace: cfg-test\n`);
      assert.equal((await meJson(['count', '/cfg'], { env: { ...cfg.env, ME_API_KEY: s.key } })).count, 1);
      // Rename, then delete (confirmation required: --yes when stdin is not a terminal).
      const renamed = await meJson(['space', 'rename', 'cfg-test', '--slug', 'cfg-two', '--name', 'Config two'], { env: e });
      assert.deepEqual([renamed.slug, renamed.name], ['cfg-two', 'Config two']);
      const unconfirmed = await me(['space', 'delete', 'cfg-two'], { env: e });
      assert.equal(unconfirmed.code, 2);
      assert.match(unconfirmed.stderr, /--yes/);
      const deleted = await meJson(['space', 'delete', 'cfg-two', '--yes'], { env: e });
      assert.deepEqual([deleted.slug, deleted.memories], ['cfg-two', 1]);
    } finally {
      cfg.cleanup();
    }
  });
});
