import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../db/package-root.js';
import { runLoad } from '../harness/load.js';
import { type BenchContext, type Measure } from './types.js';

const CONCURRENCY = 32;
const ROUNDS = 2;

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => resolve(port));
  });
});
const childrenOf = (pid: number) => {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
/** CPU time (µs) a process has used, from /proc (utime + stime, in clock ticks of 10 ms). */
const cpuMicros = (pid: number) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return 0;
  }
};

/** GET /ready on a new connection (the primary hands each connection to the next worker): 200 once that worker serves. */
const readyOnNewConnection = (url: string) => new Promise<boolean>((resolve) => {
  get(`${url}/ready`, { agent: false }, (res) => { res.resume(); resolve(res.statusCode === 200); }).on('error', () => resolve(false));
});

/** Drives memory.get against a server process tree (root `pid`) and counts the CPU all of it used. */
async function loadProcesses(url: string, pid: number, key: string | null, bodies: string[]) {
  const pids = [pid, ...childrenOf(pid)];
  const cpu0 = pids.reduce((t, p) => t + cpuMicros(p), 0);
  const res = await runLoad({
    url, headers: key ? { authorization: `Bearer ${key}` } : {}, bodies,
    concurrency: CONCURRENCY, warmupMs: 4000, durationMs: 6000, // each new process warms its JIT
  });
  const cpu = pids.reduce((t, p) => t + cpuMicros(p), 0) - cpu0;
  return { ...res, cpuPerReq: cpu / res.total };
}
type Run = Awaited<ReturnType<typeof loadProcesses>>;

/**
 * `npm start` as deployed (the compiled server, its own process) with ME_WORKERS=1 and then 2, on
 * the bench's server database: memory.get req/s from 32 keep-alive connections, and the CPU all
 * server processes used per request.
 */
async function measureWorkers(dbUrl: string, key: string, bodies: string[], workers: number): Promise<Run> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'me-bench-workers-'));
  const child = spawn(process.execPath, [join(packageRoot, 'dist/server/main.js')], {
    env: {
      ...process.env, DATABASE_URL: dbUrl, ME_WORKERS: String(workers), ME_PORT: String(port), ME_HOST: '127.0.0.1',
      ME_DATA_DIR: dataDir, ME_LOG_LEVEL: 'error', ME_AUTH_SECRET: randomBytes(32).toString('base64url'),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    // Every worker serving: a starting worker already takes connections and answers 503 (listen
    // first), so 4 × workers new connections in a row must be ready; one worker is the process itself.
    let inARow = 0;
    while (childrenOf(child.pid!).length < (workers > 1 ? workers : 0) || inARow < 4 * workers) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`bench workers: the server with ME_WORKERS=${workers} did not start: ${stderr.slice(-500)}`);
      inARow = (await readyOnNewConnection(url)) ? inARow + 1 : 0;
      if (!inARow) await new Promise((r) => setTimeout(r, 100));
    }
    return await loadProcesses(`${url}/api/v1/memory/rpc`, child.pid!, key, bodies);
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The floor (harness/floor-process.ts) in its own process on the same database, under the same load. */
async function measureFloor(dbUrl: string, bodies: string[]): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(packageRoot, 'bench/harness/floor-process.ts'), dbUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.setEncoding('utf8').once('data', (d: string) => resolve(d.trim()));
      child.once('exit', (code) => reject(new Error(`bench workers: the floor process exited (${code})`)));
    });
    return await loadProcesses(url, child.pid!, null, bodies);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** memory.get with 1 vs 2 server processes (ME_WORKERS), server Postgres only. */
export const workers: Measure = {
  name: 'workers',
  when: 'once',
  async run({ target, report }: BenchContext) {
    if (target.kind !== 'server') return; // the embedded database is one process
    const rows = await target.db.sql<{ id: string }[]>`select id from core.memory order by md5(id::text) limit 1000`;
    const bodies = rows.map((r) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'memory.get', params: { id: r.id } }));
    // Alternated, best of ROUNDS each: other load on the machine only ever slows a run down, and
    // one run of each swung the ratio between 0.89 and 1.11 on a quiet 2-core machine.
    // The floor runs here too, in its own process like the server: the get rows above run both
    // in the bench process, which carries the bench's own state.
    const runs: Record<'floor' | 1 | 2, Run[]> = { floor: [], 1: [], 2: [] };
    for (let round = 0; round < ROUNDS; round++) {
      runs.floor.push(await measureFloor(target.db.url!, bodies));
      for (const n of [1, 2] as const) runs[n].push(await measureWorkers(target.db.url!, target.key, bodies, n));
    }
    const best = (k: 'floor' | 1 | 2) => runs[k].reduce((a, b) => (b.rps > a.rps ? b : a));
    const [floor, one, two] = [best('floor'), best(1), best(2)];
    const errors = (r: Run) => (r.errors ? `, ${r.errors} ERRORS: ${r.firstError}` : '');
    const tried = (k: 'floor' | 1 | 2) => `best of ${ROUNDS} (${runs[k].map((x) => x.rps.toFixed(0)).join(', ')})`;
    report.add({
      db: target.label, metric: 'floor: HTTP + get-by-id, own process', value: floor.rps, unit: 'req/s',
      note: `${tried('floor')}; harness/floor-process.ts, ${CONCURRENCY} keep-alive clients, ${floor.seconds.toFixed(0)} s; ≈${floor.cpuPerReq.toFixed(0)} µs CPU/req${errors(floor)}`,
    });
    for (const [n, r] of [[1, one], [2, two]] as const) {
      report.add({
        db: target.label, metric: `memory.get, ME_WORKERS=${n}`, value: r.rps, unit: 'req/s', floor: n === 1 ? floor.rps : undefined,
        note: `${tried(n)}; npm start in its own process, ${CONCURRENCY} keep-alive clients, ${r.seconds.toFixed(0)} s; ≈${r.cpuPerReq.toFixed(0)} µs CPU/req over all server processes${errors(r)}`,
      });
    }
    report.add({
      db: target.label, metric: 'memory.get / floor, own processes', value: one.rps / floor.rps, unit: '×',
      target: { kind: 'min', value: 0.7 }, note: 'ME_WORKERS=1 against the floor, each in a process of its own, as deployed',
    });
    report.add({
      db: target.label, metric: 'memory.get, 2 workers / 1', value: two.rps / one.rps, unit: '×',
      target: { kind: 'min', value: 1 }, note: 'the issue asks that 2 workers beat 1 on this 2-core machine (Postgres and the load generator share the cores)',
    });
  },
};
