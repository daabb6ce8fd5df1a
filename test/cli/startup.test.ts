import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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
