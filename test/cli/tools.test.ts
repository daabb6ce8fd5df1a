import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { BIN, me, meJson, sandbox } from './support.js';

// me doctor, me completion, me version, me mcp without credentials, and the outputs people read.
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

const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

describe('me doctor', () => {
  it('all ✓ against a running server with a valid key (embeddings off is information, not a failure)', async () => {
    const r = await me(['doctor'], { env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^✓ server {6}${s.url.replace(/[.]/g, '\\.')} \\(from ME_SERVER\\) answers: server \\S+, this CLI \\S+$`, 'm'));
    assert.match(r.stdout, /^✓ clock {7}within \d+ s of the server$/m);
    assert.match(r.stdout, /^✓ credential {2}ME_API_KEY is set/m);
    assert.match(r.stdout, /^✓ identity {4}owner .*\(user, apiKey\)$/m);
    assert.match(r.stdout, /^✓ space {7}default \(your personal space\); you may use \/ \(owner\)$/m);
    assert.match(r.stdout, /^· embeddings {2}off: keyword search only\n {14}fix: .*ME_EMBEDDING_DIMENSIONS/m);
    const json = JSON.parse((await me(['doctor', '--json'], { env })).stdout);
    assert.equal(json.ok, true);
    assert.deepEqual(json.checks.map((c: { name: string }) => c.name), ['server', 'clock', 'credential', 'identity', 'space', 'embeddings']);
  });

  it('✗ with the fix, exit 1: no server, no credential, a bad key, an unknown space', async () => {
    const down = await me(['doctor'], { env: { ...env, ME_SERVER: 'http://127.0.0.1:9' } });
    assert.equal(down.code, 1);
    assert.match(down.stdout, /✗ server {6}http:\/\/127\.0\.0\.1:9 \(from ME_SERVER\) does not answer: ECONNREFUSED\n {14}fix: start one with `me serve`/);
    const nobody = await me(['doctor'], { env: { ...box.env, ME_SERVER: s.url, ME_KEYRING: 'off' } });
    assert.equal(nobody.code, 1);
    assert.match(nobody.stdout, /✗ credential {2}not signed in to .*\n {14}fix: run `me login`/);
    const bad = await me(['doctor'], { env: { ...env, ME_API_KEY: 'me.bogus.bogus' } });
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /✗ identity .*UNAUTHORIZED/);
    const space = await me(['doctor', '--space', 'nowhere'], { env });
    assert.equal(space.code, 1);
    assert.match(space.stdout, /✗ (identity|space) .*nowhere/);
  });
});

describe('me completion', () => {
  it('bash completes commands, derived memory commands, options and their values', () => {
    const script = join(box.home, 'me.bash');
    writeFileSync(script, spawnSync(process.execPath, [BIN, 'completion', 'bash'], { env: { ...process.env, ...box.env }, encoding: 'utf8' }).stdout);
    const complete = (line: string) => {
      const words = line.split(' ');
      const r = spawnSync('bash', ['-c', `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _me; echo "\${COMPREPLY[*]}"`], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    };
    assert.equal(complete('me sp'), 'space');
    assert.equal(complete('me space '), 'list ls create rename delete use');
    assert.equal(complete('me memory delete-t'), 'delete-tree');
    assert.equal(complete('me remember x --on-'), '--on-conflict');
    assert.equal(complete('me remember x --on-conflict '), 'error replace ignore');
    assert.equal(complete('me search --fields '), 'content meta temporal createdBy createdAt updatedAt version');
    assert.equal(complete('me import --format '), 'json ndjson yaml md');
    assert.match(complete('me rm -'), /(^| )-r( |$)/);
  });

  it('zsh and fish scripts parse and complete the same tree', { skip: !has('zsh') || !has('fish') ? 'zsh or fish not installed (.ci/run installs them)' : false }, () => {
    const zshScript = join(box.home, '_me');
    writeFileSync(zshScript, spawnSync(process.execPath, [BIN, 'completion', 'zsh'], { env: { ...process.env, ...box.env }, encoding: 'utf8' }).stdout);
    // zsh's completion widgets need a terminal: the builtins the script calls are replaced by ones that print.
    const zsh = (line: string) => spawnSync('zsh', ['-fc', `compdef() {}; source ${zshScript}
      _describe() { print -rl -- "\${(@)\${(P)4}%%:*}" }; compadd() { shift; print -rl -- "$@" }; _files() { print files }
      words=(${line.split(' ').map((w) => `'${w}'`).join(' ')}); CURRENT=\${#words}; _me`], { encoding: 'utf8' }).stdout.trim().split('\n');
    assert.ok(zsh('me sp').includes('space'));
    assert.deepEqual(zsh('me space '), ['list', 'ls', 'create', 'rename', 'delete', 'use']);
    assert.deepEqual(zsh('me remember x --on-conflict '), ['error', 'replace', 'ignore']);
    assert.deepEqual(zsh('me import '), ['files']);

    const fishScript = join(box.home, 'me.fish');
    writeFileSync(fishScript, spawnSync(process.execPath, [BIN, 'completion', 'fish'], { env: { ...process.env, ...box.env }, encoding: 'utf8' }).stdout);
    const fish = (line: string) => spawnSync('fish', ['--no-config', '-c', `source ${fishScript}; complete -C ${JSON.stringify(line)}`], { encoding: 'utf8' }).stdout.trim().split('\n').map((l) => l.split('\t')[0]);
    assert.deepEqual(fish('me space ').sort(), ['create', 'delete', 'list', 'ls', 'rename', 'use']);
    assert.deepEqual(fish('me remember x --on-conflict ').sort(), ['error', 'ignore', 'replace']);
    assert.ok(fish('me memory ').includes('batch-create'));
  });

  it('an unknown shell is a usage error', async () => {
    const r = await me(['completion', 'tcsh']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown shell "tcsh": use bash, zsh or fish/);
  });
});

describe('me version and ME_SERVER', () => {
  it('`me version` asks the server ME_SERVER names; `me --version` prints the CLI version', async () => {
    const v = await meJson(['version'], { env });
    assert.equal(v.server, s.url);
    assert.equal(typeof v.serverVersion?.version, 'string');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    assert.equal((await me(['--version'])).stdout.trim(), pkg.version);
  });
});

describe('me mcp without credentials', () => {
  it('fails at start: the reason on stderr and as the MCP error of initialize', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath, args: [BIN, 'mcp'],
      env: { ...box.env, PATH: process.env.PATH!, ME_SERVER: s.url, ME_KEYRING: 'off' }, stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (d) => (stderr += d));
    const client = new Client({ name: 'no-creds', version: '1.0.0' });
    await assert.rejects(client.connect(transport), /not signed in to .*: run `me login` or set ME_API_KEY/);
    await client.close().catch(() => {});
    assert.match(stderr, /me mcp: not signed in to .*: run `me login` or set ME_API_KEY/);
  });
});

describe('output people read', () => {
  it('history names the actor; tables have human headers; plurals; sentences for mutations', async () => {
    await meJson(['remember', 'v1', '--tree', '/out', '--name', 'x'], { env });
    const history = await me(['history', '/out/x'], { env });
    assert.match(history.stdout, /^VERSION {2}CHANGE {2}WHEN +PATH +BY$/m);
    assert.match(history.stdout, /^1 {8}insert {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}\/out\/x {2}owner$/m);
    assert.equal((await meJson(['history', '/out/x'], { env })).events[0].actorName, 'owner');
    const keys = await me(['apikey', 'list'], { env });
    assert.match(keys.stdout, /^ID +NAME +ACTS AS +PREFIX +RESTRICTION +EXPIRES +LAST USED$/m);
    assert.doesNotMatch(keys.stdout, /PRINCIPALNAME|EXPIRESAT/);
    assert.match((await me(['grant', 'list'], { env })).stdout, /^PRINCIPAL +TREE +LEVEL +PRINCIPAL ID$/m);
    assert.match((await me(['rm', '-r', '/out', '--yes'], { env })).stdout, /^Deleted 1 memory under \/out\.$/m);
    assert.match((await me(['mv', '/nothing', '/else'], { env })).stdout, /^Moved 0 memories\.$/m);
  });

  it('space rename says what happened and moves the default space in the config along', async () => {
    const cfg = sandbox();
    const e = { ...cfg.env, ME_SERVER: s.url, ME_API_KEY: s.key };
    try {
      await meJson(['space', 'create', 'old-name'], { env: e });
      await meJson(['space', 'use', 'old-name'], { env: e });
      const r = await me(['space', 'rename', 'old-name', '--slug', 'new-name', '--name', 'New'], { env: e });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Renamed space old-name to new-name \("New"\)\. Your default space is now new-name/);
      assert.match(readFileSync(join(cfg.env.XDG_CONFIG_HOME!, 'me', 'config.yaml'), 'utf8'), /^space: "new-name"$/m);
      assert.equal((await meJson(['count'], { env: e })).count, 0, 'the next command finds the renamed space');
    } finally {
      cfg.cleanup();
    }
  });
});
