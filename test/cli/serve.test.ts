import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BIN, ensureBuilt, meJson, sandbox } from './support.js';

// `me serve` runs the real server on the embedded database; the first start prints an API key.
describe('me serve', () => {
  const box = sandbox();
  after(() => box.cleanup());

  it('starts on the embedded database, prints the bootstrap key, answers the CLI, stops on SIGTERM', async () => {
    ensureBuilt();
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', join(box.home, 'data')], {
      env: { ...process.env, ...box.env, ME_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    let stderr = '';
    const { url, key } = await new Promise<{ url: string; key: string }>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        const url = /"msg":"listening","url":"([^"]+)"/.exec(stderr)?.[1];
        const key = /^\s+(me\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/m.exec(stderr)?.[1];
        if (url && key) resolve({ url, key });
      });
      exited.then((code) => reject(new Error(`me serve exited (${code}): ${stderr}`)));
    });
    const env = { ...box.env, ME_SERVER: url, ME_API_KEY: key };
    const who = await meJson(['whoami'], { env });
    assert.equal(who.credential, 'apiKey');
    assert.deepEqual(who.spaces.map((s: { slug: string }) => s.slug), ['default']);
    assert.equal((await meJson(['remember', 'served by me serve', '--tree', '/serve', '--name', 'hello'], { env })).outcome, 'created');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
