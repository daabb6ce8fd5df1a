import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ensureBuilt, sandbox } from './support.js';
import { databaseIndependent } from '../support/suites.js';

// The credential store and the cross-process lock, exercised in separate Node processes running the
// compiled modules (the way concurrent `me` invocations use them).
const dist = new URL('../../dist/cli/', import.meta.url).href;

function node(script: string, env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

describe('credentials', { skip: databaseIndependent }, () => {
  const box = sandbox();
  after(() => box.cleanup());

  it('without a usable keychain the token set goes to a 0600 file, and is read back and deleted', async () => {
    ensureBuilt();
    const set = { server: 'http://127.0.0.1:1', issuer: 'http://127.0.0.1:1/api/v1/auth', clientId: 'me-cli', tokenEndpoint: 'http://127.0.0.1:1/t', accessToken: 'a', refreshToken: 'r', savedAt: 1 };
    const r = await node(`
      const s = await import('${dist}auth/store.js');
      const where = await s.saveTokenSet(${JSON.stringify(set)});
      const back = await s.loadTokenSet('${set.server}');
      console.log(JSON.stringify({ where, back }));`, box.env);
    assert.equal(r.code, 0, r.err);
    const { where, back } = JSON.parse(r.out);
    assert.equal(where, 'file'); // this machine has no Secret Service: the keychain refuses
    assert.deepEqual(back, set);
    const file = join(box.env.XDG_CONFIG_HOME!, 'me', 'credentials.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(box.env.XDG_CONFIG_HOME!, 'me')).mode & 0o777, 0o700);
    const d = await node(`const s = await import('${dist}auth/store.js'); console.log(await s.deleteTokenSet('${set.server}'), JSON.stringify(await s.loadTokenSet('${set.server}')));`, box.env);
    assert.equal(d.out.trim(), 'true null');
  });

  it('the file lock excludes other processes (no lost updates across 6 processes × 15 increments)', async () => {
    const counter = join(box.home, 'counter');
    writeFileSync(counter, '0');
    const script = `
      import { readFileSync, writeFileSync } from 'node:fs';
      const { withFileLock } = await import('${dist}auth/lock.js');
      for (let i = 0; i < 15; i++) {
        await withFileLock('test-counter', async () => {
          const n = Number(readFileSync('${counter}', 'utf8'));
          await new Promise((r) => setTimeout(r, 2)); // widen the window a lost update needs
          writeFileSync('${counter}', String(n + 1));
        });
      }`;
    const runs = await Promise.all(Array.from({ length: 6 }, () => node(script, box.env)));
    for (const r of runs) assert.equal(r.code, 0, r.err);
    assert.equal(readFileSync(counter, 'utf8'), '90');
  });
});
