import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BIN, ensureBuilt, me, meJson, sandbox } from './support.js';
import { databaseIndependent } from '../support/suites.js';

// `me serve` runs the real server on the embedded database; the first start prints an API key.
describe('me serve', { skip: databaseIndependent }, () => {
  const box = sandbox();
  after(() => box.cleanup());

  /** Opens an owner sign-in link the way a browser on this machine would; true if it signed in. */
  async function signsIn(link: string): Promise<boolean> {
    const res = await fetch(link, { redirect: 'manual' });
    return res.status === 302 && /me\.session_token=/.test(res.headers.get('set-cookie') ?? '') && !/error=/.test(res.headers.get('location') ?? '');
  }

  it('starts on the embedded database, prints the bootstrap key and an owner link; --owner-link mints new ones without a restart; stops on SIGTERM', async () => {
    ensureBuilt();
    const dataDir = join(box.home, 'data');
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir], {
      env: { ...process.env, ...box.env, ME_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    let stderr = '';
    const { url, key, link } = await new Promise<{ url: string; key: string; link: string }>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        const url = /"msg":"listening","url":"([^"]+)"/.exec(stderr)?.[1];
        const key = /^\s+(me\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/m.exec(stderr)?.[1];
        const link = /^\s+(http\S+owner-sign-in\?token=\S+)\s*$/m.exec(stderr)?.[1];
        if (url && key && link) resolve({ url, key, link });
      });
      exited.then((code) => reject(new Error(`me serve exited (${code}): ${stderr}`)));
    });
    const env = { ...box.env, ME_SERVER: url, ME_API_KEY: key };
    const who = await meJson(['whoami'], { env });
    assert.equal(who.credential, 'apiKey');
    assert.deepEqual(who.spaces.map((s: { slug: string }) => s.slug), ['default']);
    assert.equal((await meJson(['remember', 'served by me serve', '--tree', '/serve', '--name', 'hello'], { env })).outcome, 'created');

    // The printed link works once; then only --owner-link (access to the data dir) mints another.
    assert.equal(await signsIn(link), true);
    assert.equal(await signsIn(link), false, 'a link works once');
    assert.equal(statSync(join(dataDir, 'owner-link.json')).mode & 0o777, 0o600);
    const fresh = await me(['serve', '--owner-link', '--data-dir', dataDir], { env: box.env });
    assert.equal(fresh.code, 0, fresh.stderr);
    const minted = /^\s+(http\S+owner-sign-in\?token=\S+)$/m.exec(fresh.stdout)?.[1];
    assert.ok(minted, fresh.stdout);
    assert.equal(await signsIn(minted), true);
    const another = await meJson(['serve', '--owner-link', '--data-dir', dataDir], { env: box.env });
    assert.notEqual(another.link, minted);
    // Presenting a wrong secret (no access to the data dir) mints nothing.
    const refused = await fetch(`${url}/api/v1/owner-link`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ secret: 'guess' }) });
    assert.equal(refused.status, 403);

    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal(existsSync(join(dataDir, 'owner-link.json')), false, 'the minting secret goes with the server');
    const none = await me(['serve', '--owner-link', '--data-dir', dataDir], { env: box.env });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no server is running on the data directory/);
  });

  it('a configuration problem is one line naming the variable, before anything is written', async () => {
    const dataDir = join(box.home, 'never');
    for (const [envVar, value, message] of [
      ['ME_PORT', 'abc', /^error: invalid configuration: ME_PORT must be a port number from 0 to 65535 \(it is "abc"\)\n$/],
      ['ME_LOG_LEVEL', 'loud', /^error: invalid configuration: ME_LOG_LEVEL must be info, warn, error or silent \(it is "loud"\)\n$/],
      ['ME_AUTH_SECRET', 'short', /^error: invalid configuration: ME_AUTH_SECRET must be at least 32 characters\n$/],
    ] as const) {
      const r = await me(['serve', '--data-dir', dataDir], { env: { ...box.env, [envVar]: value } });
      assert.equal(r.code, 1, `${envVar}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal(existsSync(dataDir), false, 'nothing written');
    const flag = await me(['serve', '--port', 'abc', '--data-dir', dataDir], { env: box.env });
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /^error: --port must be a port number from 0 to 65535, got "abc"\n/);
  });

  it('a busy port is one line naming the port', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await me(['serve', '--port', String(port), '--data-dir', join(box.home, 'busy')], { env: { ...box.env, ME_LOG_LEVEL: 'error' } });
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`^error: port ${port} is already in use on 127\\.0\\.0\\.1 \\(ME_PORT, or me serve --port\\): stop the other server or pick another port`, 'm'));
      assert.doesNotMatch(r.stderr, /Unhandled|at .*\(node:/);
    } finally {
      blocker.close();
    }
  });
});
