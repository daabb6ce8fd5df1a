import { maintain } from '../../db/maintenance.js';
import { memories } from '../harness/generate.js';
import type { Report } from '../harness/report.js';
import type { BenchTarget } from '../harness/setup.js';
import { sizeLabel } from './types.js';

export const BATCH = 1000;

/**
 * Grows the target's data set to `to` memories through memory.batchCreate (1000 per call) with
 * `callers` concurrent clients, and reports the rate. Ends with VACUUM ANALYZE of the tables that
 * grew, which autovacuum (server) or db/maintenance.ts (embedded) does within a minute of a load.
 */
export async function grow(target: BenchTarget, report: Report, seed: number, to: number, callers: number, vacuum = true) {
  const from = target.count;
  const batches: { memories: unknown[] }[] = [];
  for (let i = from; i < to; i += BATCH) batches.push({ memories: memories(seed, i, Math.min(to, i + BATCH)) });
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: callers }, async () => {
    while (next < batches.length) {
      const params = batches[next++]!;
      const res = await target.rpc.call<{ created: number }>('memory.batchCreate', params);
      if (res.created !== params.memories.length) throw new Error(`batchCreate stored ${res.created} of ${params.memories.length}`);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  target.count = to;
  report.add({
    db: target.label,
    metric: `import ${sizeLabel(from)}→${sizeLabel(to)}, ${callers} caller${callers > 1 ? 's' : ''}`,
    value: (to - from) / seconds,
    unit: 'mem/s',
    target: { kind: 'min', value: target.targets.importPerSec },
    note: `batchCreate ×${BATCH}, ${seconds.toFixed(1)} s`,
  });
  if (vacuum) await maintain(target.db.sql, { vacuumOnly: target.kind !== 'embedded' });
}
