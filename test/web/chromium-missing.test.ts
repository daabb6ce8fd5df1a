import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { databaseIndependent } from '../support/suites.js';

// Issue 10: without Chromium, `npm test` sat ~25 minutes: the browser tests started the IdP and the
// server, then failed to launch the browser, never closed them, and each file waited for the 300 s
// test timeout. Now they check for Chromium first and say what to install, in seconds.

const root = new URL('../../', import.meta.url).pathname;
const BOUND_MS = 60_000; // generous: the failure used to take the whole test timeout

function runWithoutChromium(file: string): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  // Without NODE_TEST_CONTEXT: the child is a test run of its own, not a part of this one.
  const { NODE_TEST_CONTEXT: _ours, ...env } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-timeout=150000', file], {
      cwd: root, env: { ...env, CHROMIUM_PATH: '/nonexistent/chromium' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const stop = setTimeout(() => child.kill('SIGKILL'), 200_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(stop);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

describe('browser tests without Chromium', { skip: databaseIndependent }, () => {
  for (const file of ['test/auth/web.test.ts', 'test/web/app.test.ts']) {
    it(`${file} fails fast, naming what to install`, async () => {
      const r = await runWithoutChromium(file);
      console.log(`${file} without Chromium: exit ${r.code} after ${(r.ms / 1000).toFixed(1)} s`);
      assert.notEqual(r.code, 0, 'the file fails');
      assert.match(r.output, /install chromium \(apt-get install chromium\) or set CHROMIUM_PATH/);
      assert.match(r.output, /\/nonexistent\/chromium \(CHROMIUM_PATH\)/);
      assert.ok(r.ms < BOUND_MS, `failed after ${r.ms} ms; the bound is ${BOUND_MS} ms`);
    });
  }
});
