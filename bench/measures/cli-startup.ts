// CLI start-up measurements (issue 4): `me --version` against `node -e 0` (target ≤ 1.5×) and
// `me memory get <id>` end to end against a local server (target ≤ 3×). Samples are interleaved so
// all three see the same machine load; the ratio of medians is reported. Registered in bench/measures/index.ts.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile } from '../harness/stats.js';
import type { BenchContext, Measure } from './types.js';
import { packageRoot } from '../../db/package-root.js';
import { buildIfStale } from '../../scripts/build-if-stale.js';

function timeRun(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t) : reject(new Error(`node ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

export const cliStartup: Measure = {
  name: 'cli-startup',
  when: 'once',
  async run({ target, report, quick }: BenchContext) {
    const bin = join(packageRoot, 'dist/cli/main.js');
    buildIfStale();
    const [row] = await target.db.sql<{ id: string }[]>`select id from core.memory limit 1`;
    if (!row) throw new Error('cli-startup needs at least one memory');
    const home = mkdtempSync(join(tmpdir(), 'me-bench-cli-'));
    const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache'), ME_SERVER: target.server.url, ME_API_KEY: target.key };
    const runs = {
      node: ['-e', '0'],
      version: [bin, '--version'],
      get: [bin, 'memory', 'get', row.id, '--json'],
    };
    try {
      await timeRun(runs.get, env); // fills the CLI's spec cache, as any first run on a machine does
      const ms: Record<keyof typeof runs, number[]> = { node: [], version: [], get: [] };
      for (let i = 0; i < (quick ? 9 : 21); i++) {
        for (const k of Object.keys(runs) as (keyof typeof runs)[]) ms[k].push(await timeRun(runs[k], env));
      }
      const med = (k: keyof typeof runs) => percentile(ms[k], 50);
      const db = target.label;
      report.add({ db, metric: '`me --version` / `node -e 0` (median)', value: med('version') / med('node'), unit: '×', target: { kind: 'max', value: 1.5 }, note: `${med('version').toFixed(0)} ms vs ${med('node').toFixed(0)} ms` });
      report.add({ db, metric: '`me memory get` end to end / `node -e 0` (median)', value: med('get') / med('node'), unit: '×', target: { kind: 'max', value: 3 }, note: `${med('get').toFixed(0)} ms vs ${med('node').toFixed(0)} ms; API key, local server` });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  },
};
