import { runLoad } from '../harness/load.js';
import type { BenchContext, Measure } from './types.js';

/**
 * memory.get under sustained saturation (30 s, 32 clients, more than the pool has connections):
 * compares the first and the last 5 seconds, so a per-request cost that grows with uptime shows.
 * This is how the postgres.js queue growth (patches/postgres+3.4.9.patch) was found: unpatched,
 * throughput fell ~15-20 % within a minute here while CPU per request rose.
 */
export const getSustained: Measure = {
  name: 'get-sustained',
  when: 'once',
  async run({ target, report, quick }: BenchContext) {
    if (quick) return;
    const rows = await target.db.sql<{ id: string }[]>`select id from core.memory order by md5(id::text) limit 1000`;
    // The server runs in this process: its CPU time per request in the first and last seconds
    // tells a growing cost apart from other load on the machine (which moves req/s, not this).
    const cpuAt: number[] = [];
    const res = await runLoad({
      url: `${target.server.url}/api/v1/memory/rpc`,
      headers: { authorization: `Bearer ${target.key}` },
      bodies: rows.map((r) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'memory.get', params: { id: r.id } })),
      concurrency: 32, warmupMs: 500, durationMs: 30_000,
    }, (second) => { const u = process.cpuUsage(); cpuAt[second] = u.user + u.system; });
    const cpuPerReq = (from: number, to: number) =>
      (cpuAt[to]! - cpuAt[from]!) / res.perSecond.slice(from, to).reduce((a, b) => a + b, 0);
    // Whole seconds only: the windows end at the last tick.
    const m = Math.min(cpuAt.length - 1, res.perSecond.length);
    const rate = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = rate(res.perSecond.slice(0, 5));
    const last = rate(res.perSecond.slice(m - 5, m));
    const cpuNote = `; server CPU/req ${cpuPerReq(0, 5).toFixed(0)} → ${cpuPerReq(m - 5, m).toFixed(0)} µs`;
    report.add({
      db: target.label,
      metric: 'memory.get sustained, last 5 s of 30 s',
      value: last,
      unit: 'req/s',
      floor: target.floors.get,
      target: { kind: 'min', value: target.targets.getRps },
      note: `floor: the last get floor (16 clients); first 5 s ${Math.round(first).toLocaleString('en-US')} req/s (last/first ${(last / first).toFixed(2)})${cpuNote}; 32 clients${res.errors ? `, ${res.errors} ERRORS: ${res.firstError}` : ''}`,
    });
  },
};
