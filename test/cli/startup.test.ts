import { setTimeout as delay } from 'node:timers/promises';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { BIN, ensureBuilt } from './support.js';
import { databaseIndependent } from '../support/suites.js';

// Issue 13: `me --version` answers within 1.5× of `node -e 0` because it loads nothing but the binary
// itself: no clipanion, zod, client or command specs (a regression that loads them is 2.5× or more).
// The ratio is measured by `npm run bench` (cli-startup); a test asserts what the process loads,
// which does not depend on how busy the machine is.
const IMPORT_TRACE = join(import.meta.dirname, '../support/import-trace.mjs');

/** A home and an import-trace file for one traced `me` process (test/support/import-trace.mjs). */
function traced() {
  const dir = mkdtempSync(join(tmpdir(), 'me-trace-'));
  const trace = join(dir, 'imports.txt');
  writeFileSync(trace, '');
  return {
    args: (meArgs: string[]) => ['--import', IMPORT_TRACE, BIN, ...meArgs],
    env: { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'cache'), ME_IMPORT_TRACE: trace },
    loaded: () => readFileSync(trace, 'utf8').split('\n').filter(Boolean),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function traceImports(args: string[]): string[] {
  const t = traced();
  try {
    const run = spawnSync(process.execPath, t.args(args), { env: t.env, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return t.loaded();
  } finally {
    t.cleanup();
  }
}

describe('me --version start-up', { skip: databaseIndependent }, () => {
  it('loads only the binary and Node built-ins', () => {
    ensureBuilt();
    for (const flag of ['--version', '-v']) {
      const loaded = traceImports([flag]).filter((u) => !u.startsWith('node:'));
      assert.deepEqual(loaded, [pathToFileURL(BIN).href], `me ${flag} loaded more than the binary`);
    }
  });
});

// Issue 14: `me mcp` answers `initialize` within 2.5× `node -e 0` (bench: mcp-stdio) by loading only
// what that answer needs: not clipanion and the command specs, not Ajv (patched out of the SDK's
// static imports), not the contracts (the tool list loads at tools/list), and without waiting for
// the MCP SDK, which loads meanwhile (cli/mcp/early-initialize.ts; its zod schemas took ~40 ms).
describe('me mcp start-up', { skip: databaseIndependent }, () => {
  it('answers initialize without loading clipanion, Ajv, YAML or the contracts, and without waiting for the MCP SDK', async () => {
    ensureBuilt();
    const t = traced();
    try {
      const child = spawn(process.execPath, t.args(['mcp', '--server', 'http://127.0.0.1:9']), {
        env: { ...t.env, ME_API_KEY: 'me.abcdefabcdef.' + 'x'.repeat(43), ME_IMPORT_HOLD: '@modelcontextprotocol/sdk/dist/esm/types.js', ME_IMPORT_HOLD_MS: '5000' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const answer = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => { out += d; if (out.includes('\n')) resolve(out); });
        child.on('error', reject);
        child.on('close', (code) => reject(new Error(`me mcp exited ${code} before answering`)));
        child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }) + '\n');
      });
      assert.equal(JSON.parse(answer).result.serverInfo.name, 'memory-engine');
      const loaded = t.loaded();
      // The SDK's protocol module is held for 5 s: an answer that waited for the SDK comes after it.
      assert.deepEqual(loaded.filter((u) => u.startsWith('released ')), [], 'initialize was answered only once the SDK had loaded');
      // …and the SDK does load meanwhile (the hold was real).
      while (!t.loaded().some((u) => u.startsWith('released '))) await delay(100);
      child.kill();
      const unwanted = loaded.filter((u) => /node_modules\/(ajv|ajv-formats|clipanion|yaml)\/|\/dist\/contracts\/|\/dist\/cli\/(app|commands|spec\/derive)/.test(u));
      assert.deepEqual(unwanted, []);
    } finally {
      t.cleanup();
    }
  });
});
