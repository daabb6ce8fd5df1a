// npm run bench [-- --quick] [-- --only=embedded|server] [-- --measure=search,get] [-- --seed=N] [-- --no-vacuum]
// Measures the embedded database and, when BENCH_DATABASE_URL (or TEST_DATABASE_URL) points at a
// server Postgres, a fresh database there (created and dropped by the bench). See bench/README.md.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Report } from './harness/report.js';
import { embeddedTarget, serverTarget, type BenchTarget } from './harness/setup.js';
import { grow } from './measures/import.js';
import { measures } from './measures/index.js';
import { sizeLabel } from './measures/types.js';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    seed: { type: 'string', default: '42' },
    measure: { type: 'string' },
    // Skip the VACUUM ANALYZE after loading (what the embedded database gets today: no autovacuum).
    'no-vacuum': { type: 'boolean', default: false },
    // Internal: a database's run in its own process (see main) writes its rows here as JSON.
    'rows-to': { type: 'string' },
  },
});
const quick = flags.quick!;
// --measure=search,get runs only those measurements (the data set is still loaded).
const chosen = flags.measure ? measures.filter((m) => flags.measure!.split(',').includes(m.name)) : measures;
const seed = Number(flags.seed);
const sizes = quick ? [10_000] : [10_000, 100_000];
const serverUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
// A quick run of named measurements may include a slow one (disk): it gets the full run's limit.
const HARD_LIMIT_MS = (quick && !flags.measure ? 6 : 20) * 60_000;

const report = new Report();
let current: BenchTarget | undefined;

// A bench must end by itself: past the limit, print what we have and stop.
const watchdog = setTimeout(() => {
  console.error(`\nbench: stopped after ${HARD_LIMIT_MS / 60_000} minutes (limit); partial results:`);
  finish();
  process.exit(2);
}, HARD_LIMIT_MS);
watchdog.unref();

async function benchTarget(open: () => Promise<BenchTarget>, importCallers: (step: number) => number) {
  const t0 = performance.now();
  const target = (current = await open());
  console.log(`\n${target.label}: server ${target.server.url}, opened in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  try {
    for (const [step, size] of sizes.entries()) {
      console.log(`${target.label}: loading ${sizeLabel(size)} memories…`);
      await grow(target, report, seed, size, importCallers(step), !flags['no-vacuum']);
      for (const m of chosen.filter((m) => m.when === 'perSize')) await m.run({ target, report, size, quick, seed, named: !!flags.measure });
    }
    for (const m of chosen.filter((m) => m.when === 'once')) await m.run({ target, report, size: target.count, quick, seed, named: !!flags.measure });
  } finally {
    await target.close();
    current = undefined;
  }
}

/**
 * Each database is measured in its own process. In one process, the server PG figures came after the
 * embedded run had trained V8 on the other driver path (PGlite's socket): memory.get cost 263-278
 * µs CPU/req there against 225-242 alone, while the floor's few lines barely noticed (0.59-0.73×
 * its floor against 0.74-0.75×). A deployment serves one database, so each gets a fresh process.
 */
function inOwnProcess(only: 'embedded' | 'server'): Promise<boolean> {
  const dir = mkdtempSync(join(os.tmpdir(), 'me-bench-'));
  const rowsFile = join(dir, 'rows.json');
  const args = [...process.execArgv, process.argv[1]!, ...process.argv.slice(2), `--only=${only}`, `--rows-to=${rowsFile}`];
  return new Promise<boolean>((resolve) => {
    spawn(process.execPath, args, { stdio: 'inherit' }).on('close', (code) => {
      try {
        for (const row of JSON.parse(readFileSync(rowsFile, 'utf8')) as Report['rows']) report.rows.push(row);
      } catch {
        console.error(`bench: the ${only} run left no figures`);
      }
      rmSync(dir, { recursive: true, force: true });
      resolve(code === 0);
    });
  });
}

/** A run's end: its rows to the parent process (--rows-to), or the table. */
function finish() {
  if (flags['rows-to']) return writeFileSync(flags['rows-to'], JSON.stringify(report.rows));
  report.print();
  console.log(`load avg at end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (other processes on this machine add noise)`);
}

async function main() {
  const [pgVersion] = serverUrl ? [new URL(serverUrl).host] : [];
  if (!flags['rows-to']) {
    console.log(`memory-engine bench (${quick ? 'quick: 10k' : 'full: 10k + 100k'}), seed ${seed}, node ${process.version}, ` +
      `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, load avg ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  }
  if (!flags.only && serverUrl) {
    const ok = [await inOwnProcess('embedded'), await inOwnProcess('server')];
    finish();
    if (ok.includes(false)) {
      console.error('bench: a database\'s run failed (above)');
      process.exit(1);
    }
    return;
  }
  if (flags.only !== 'server') await benchTarget(embeddedTarget, () => 1);
  if (flags.only !== 'embedded') {
    if (serverUrl) await benchTarget(() => serverTarget(serverUrl, Number(process.env.ME_DB_POOL_MAX ?? 10)), (step) => (step === 0 ? 1 : 4));
    else console.log(`\nserver PG: skipped (set BENCH_DATABASE_URL=postgres://… to a server Postgres; the bench creates and drops its own database) ${pgVersion ?? ''}`);
  }
  finish();
}

main().then(
  () => process.exit(0),
  async (err) => {
    console.error('bench failed:', err);
    finish();
    await current?.close().catch(() => {});
    process.exit(1);
  },
);
