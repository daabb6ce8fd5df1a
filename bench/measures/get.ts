import { startFloorServer } from '../harness/floor.js';
import { runLoad } from '../harness/load.js';
import type { LoadJob } from '../harness/load-worker.js';
import { sizeLabel, type BenchContext, type Measure } from './types.js';

const CONCURRENCY = 16;

/**
 * Drives `job` against a server running in this process and returns req/s and this process's CPU
 * µs per request: the server's own cost, a figure other load on the machine distorts far less.
 */
export async function loadWithCpu(job: LoadJob) {
  const cpu = process.cpuUsage();
  const res = await runLoad(job);
  const used = process.cpuUsage(cpu);
  return { ...res, cpuPerReq: (used.user + used.system) / res.total };
}

/**
 * memory.get throughput with an API key, right after the floor (bench/harness/floor.ts: node:http +
 * one postgres.js get-by-id on the same pool) under the same load generator: keep-alive clients in
 * a child process, for a fixed time.
 */
export const get: Measure = {
  name: 'get',
  when: 'perSize',
  async run({ target, report, size, quick }: BenchContext) {
    const rows = await target.db.sql<{ id: string }[]>`select id from core.memory order by md5(id::text) limit 1000`;
    const bodies = rows.map((r) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'memory.get', params: { id: r.id } }));
    const timing = { concurrency: CONCURRENCY, warmupMs: 1000, durationMs: quick ? 4000 : 6000 };
    const floorServer = await startFloorServer(target.db.sql);
    const floor = await loadWithCpu({ url: floorServer.url, headers: {}, bodies, ...timing }).finally(() => floorServer.close());
    target.floors.get = floor.rps;
    const ours = await loadWithCpu({
      url: `${target.server.url}/api/v1/memory/rpc`, headers: { authorization: `Bearer ${target.key}` }, bodies, ...timing,
    });
    const at = sizeLabel(size);
    const errors = (r: typeof ours) => (r.errors ? `, ${r.errors} ERRORS: ${r.firstError}` : '');
    report.add({
      db: target.label, metric: `floor: HTTP + get-by-id @${at}`, value: floor.rps, unit: 'req/s',
      note: `node:http + postgres.js, same load; ≈${floor.cpuPerReq.toFixed(0)} µs CPU/req${errors(floor)}`,
    });
    report.add({
      db: target.label,
      metric: `memory.get throughput @${at}`,
      value: ours.rps,
      unit: 'req/s',
      floor: floor.rps,
      target: { kind: 'min', value: target.targets.getRps },
      note: `${CONCURRENCY} keep-alive clients, ${ours.seconds.toFixed(0)} s, server ≈${ours.cpuPerReq.toFixed(0)} µs CPU/req (floor ${floor.cpuPerReq.toFixed(0)})${errors(ours)}`,
    });
    report.add({
      db: target.label, metric: `memory.get / floor @${at}`, value: ours.rps / floor.rps, unit: '×',
      target: { kind: 'min', value: 0.7 }, note: 'one server process; the issue asks ≥ 70 % of the floor',
    });
  },
};
