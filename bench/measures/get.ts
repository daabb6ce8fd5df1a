import { runLoad } from '../harness/load.js';
import { sizeLabel, type BenchContext, type Measure } from './types.js';

/** memory.get throughput with an API key: keep-alive clients in a worker thread, for a fixed time. */
export const get: Measure = {
  name: 'get',
  when: 'perSize',
  async run({ target, report, size, quick }: BenchContext) {
    const rows = await target.db.sql<{ id: string }[]>`select id from core.memory order by md5(id::text) limit 1000`;
    const bodies = rows.map((r) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'memory.get', params: { id: r.id } }));
    const concurrency = 16;
    // The server runs in this process and the load in a child: this process's CPU time per request
    // is the server's cost (Node side), a figure that other load on the machine does not distort.
    const cpu = process.cpuUsage();
    const res = await runLoad({
      url: `${target.server.url}/api/v1/memory/rpc`,
      headers: { authorization: `Bearer ${target.key}` },
      bodies, concurrency, warmupMs: 1000, durationMs: quick ? 4000 : 6000,
    });
    const used = process.cpuUsage(cpu);
    const cpuPerReq = (used.user + used.system) / res.total;
    report.add({
      db: target.label,
      metric: `memory.get throughput @${sizeLabel(size)}`,
      value: res.rps,
      unit: 'req/s',
      target: { kind: 'min', value: target.targets.getRps },
      note: `${concurrency} keep-alive clients, ${res.seconds.toFixed(0)} s, server ≈${cpuPerReq.toFixed(0)} µs CPU/req${res.errors ? `, ${res.errors} ERRORS: ${res.firstError}` : ''}`,
    });
  },
};
