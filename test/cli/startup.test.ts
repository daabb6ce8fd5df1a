import { setTimeout as delay } from 'node:timers/promises';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, ensureBuilt } from './support.js';

// Issue 13's bound: `me --version` stays within 1.5× of `node -e 0` (it must not load the command
// machinery). Samples alternate so both see the same machine load; the medians are compared. A
// regression that loads clipanion or zod at start is 2.5× or more here.
function time(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t) : reject(new Error(`node ${args.join(' ')} exited ${code}`))));
  });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('me --version start-up', () => {
  it('takes at most 1.5× as long as `node -e 0`', async (t) => {
    ensureBuilt();
    const node: number[] = [];
    const me: number[] = [];
    for (let i = 0; i < 15; i++) {
      node.push(await time(['-e', '0']));
      me.push(await time([BIN, '--version']));
    }
    const ratio = median(me) / median(node);
    t.diagnostic(`me --version ${median(me).toFixed(0)} ms, node -e 0 ${median(node).toFixed(0)} ms: ${ratio.toFixed(2)}×`);
    assert.ok(ratio <= 1.5, `me --version took ${ratio.toFixed(2)}× node -e 0 (medians ${median(me).toFixed(0)} / ${median(node).toFixed(0)} ms)`);
  });
});

// Issue 14: `me mcp` answers `initialize` within 2.5× `node -e 0` (bench: mcp-stdio) by loading only
// what that answer needs: not clipanion and the command specs, not Ajv (patched out of the SDK's
// static imports), not the contracts (the tool list loads at tools/list), and without waiting for
// the MCP SDK, which loads meanwhile (cli/mcp/early-initialize.ts; its zod schemas took ~40 ms).
describe('me mcp start-up', () => {
  it('answers initialize without loading clipanion, Ajv, YAML or the contracts, and without waiting for the MCP SDK', async () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'me-trace-'));
    const trace = join(dir, 'imports.txt');
    writeFileSync(trace, '');
    try {
      const child = spawn(process.execPath, ['--import', join(import.meta.dirname, '../support/import-trace.mjs'), BIN, 'mcp', '--server', 'http://127.0.0.1:9'], {
        env: { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'cache'), ME_API_KEY: 'me.abcdefabcdef.' + 'x'.repeat(43), ME_IMPORT_TRACE: trace,
          ME_IMPORT_HOLD: '@modelcontextprotocol/sdk/dist/esm/types.js', ME_IMPORT_HOLD_MS: '5000' },
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
      const loaded = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
      // The SDK's protocol module is held for 5 s: an answer that waited for the SDK comes after it.
      assert.deepEqual(loaded.filter((u) => u.startsWith('released ')), [], 'initialize was answered only once the SDK had loaded');
      // …and the SDK does load meanwhile (the hold was real).
      while (!readFileSync(trace, 'utf8').includes('released ')) await delay(100);
      child.kill();
      const unwanted = loaded.filter((u) => /node_modules\/(ajv|ajv-formats|clipanion|yaml)\/|\/dist\/contracts\/|\/dist\/cli\/(app|commands|spec\/derive)/.test(u));
      assert.deepEqual(unwanted, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
