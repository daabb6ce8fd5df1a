import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { maintain } from '../../db/maintenance.js';
import { memories, memoryAt } from '../harness/generate.js';
import { embeddedTarget } from '../harness/setup.js';
import type { Measure } from './types.js';

const CREATES = 20_000;
const CALLERS = 4;

/** Bytes the files under `dir` occupy on disk (allocated blocks, as `du` counts). */
function du(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    total += e.isDirectory() ? du(path) : statSync(path).blocks * 512;
  }
  return total;
}

const MB = 1024 * 1024;

/**
 * Issue 10: the embedded database never gave dead rows back. On a fresh embedded server: 20k
 * memories created, then each updated once through memory.update (20k new versions), the data
 * dir's size and core.memory's / core.memory_history's before and after one maintenance pass (what
 * the server runs every minute), then another 20k updates and a pass, to show the size levels off.
 */
export const disk: Measure = {
  name: 'disk',
  when: 'once',
  async run({ target: main, report, seed, quick, named }) {
    if (main.kind !== 'embedded' || (quick && !named)) return;
    const t = await embeddedTarget();
    const label = 'embedded';
    try {
      const sizes = async (when: string, note = '') => {
        const [r] = await t.db.sql<[{ memory: string; history: string; all: string }]>`
          select pg_total_relation_size('core.memory') as memory, pg_total_relation_size('core.memory_history') as history,
            pg_database_size(current_database()) as all`;
        report.add({ db: label, metric: `disk ${when}: data dir`, value: du(t.pgDir!) / MB, unit: 'MB', note });
        report.add({ db: label, metric: `disk ${when}: core.memory`, value: Number(r.memory) / MB, unit: 'MB', note: `history ${(Number(r.history) / MB).toFixed(1)} MB, all tables ${(Number(r.all) / MB).toFixed(1)} MB` });
      };
      const ids: string[] = [];
      for (let i = 0; i < CREATES; i += 1000) {
        const res = await t.rpc.call<{ ids: string[] }>('memory.batchCreate', { memories: memories(seed, i, i + 1000) });
        ids.push(...res.ids);
      }
      await maintain(t.db.sql); // the pass the server runs within a minute of a bulk load
      await sizes('20k created');
      const versions = new Map(ids.map((id) => [id, 1]));
      const updateAll = async (round: number) => {
        let next = 0;
        const started = performance.now();
        await Promise.all(Array.from({ length: CALLERS }, async () => {
          while (next < ids.length) {
            const i = next++;
            const id = ids[i]!;
            const m = await t.rpc.call<{ version: number }>('memory.update', { id, version: versions.get(id), content: memoryAt(seed, CREATES * round + i).content });
            versions.set(id, m.version);
          }
        }));
        return `${ids.length} memory.update in ${((performance.now() - started) / 1000).toFixed(0)} s`;
      };
      const pass = async (when: string) => {
        const started = performance.now();
        const done = await maintain(t.db.sql);
        const what = [...done.tables.map((m) => `${m.table}${m.rewritten ? ' (full)' : ''}`),
          ...(done.checkpointAfterBytes ? [`CHECKPOINT after ${(done.checkpointAfterBytes / MB).toFixed(0)} MB of WAL`] : [])].join(', ');
        await sizes(when, `pass ${((performance.now() - started) / 1000).toFixed(1)} s: ${what}`);
      };
      await sizes('+20k updates, before pass', await updateAll(1));
      await pass('+20k updates, after pass');
      await sizes('+40k updates, before pass', await updateAll(2));
      await pass('+40k updates, after pass');
      const idle = performance.now();
      const again = await maintain(t.db.sql);
      report.add({ db: label, metric: 'disk: a pass with nothing to do', value: performance.now() - idle, unit: 'ms',
        note: again.tables.length ? `maintained ${again.tables.map((m) => m.table).join(', ')}` : 'one catalog query' });
      await t.db.sql`vacuum full core.memory`;
      await sizes('after VACUUM FULL core.memory', 'the floor: live rows only');
    } finally {
      await t.close();
    }
  },
};
