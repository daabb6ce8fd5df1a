import { fmt } from './stats.js';

/**
 * One line of the result table. A target, when present, makes the line PASS or MISS:
 * `max` = the value must be at most the target, `min` = at least.
 */
export interface Row {
  db: string;
  metric: string;
  value: number;
  unit: string;
  target?: { kind: 'max' | 'min'; value: number };
  note?: string;
  /** The same measurement on the floor (bench/harness/floor.ts, or the raw SQL): printed as value/floor. */
  floor?: number;
}

export class Report {
  readonly rows: Row[] = [];
  add(row: Row) {
    this.rows.push(row);
    // Print as we go: a long run shows progress, and a crash still leaves the figures.
    console.log(`  ${row.db.padEnd(9)} ${row.metric.padEnd(44)} ${fmt(row.value).padStart(9)} ${row.unit.padEnd(6)} ${vsFloor(row).padStart(7)} ${verdict(row)}`);
  }
  print() {
    const head = ['database', 'measurement', 'value', 'unit', 'floor', 'vs floor', 'target', 'result', 'note'];
    const lines = this.rows.map((r) => [
      r.db, r.metric, fmt(r.value), r.unit, r.floor === undefined ? '' : fmt(r.floor), vsFloor(r),
      r.target ? `${r.target.kind === 'max' ? '≤' : '≥'} ${fmt(r.target.value)}` : '', verdict(r), r.note ?? '',
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
    const right = new Set([2, 4, 5]);
    const line = (cells: string[]) => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
    console.log('\n' + line(head));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const l of lines) console.log(line(l));
    const judged = this.rows.filter((r) => r.target);
    const missed = judged.filter((r) => verdict(r) === 'MISS');
    console.log(`\n${judged.length - missed.length}/${judged.length} targets met${missed.length ? `; missed: ${missed.map((r) => `${r.db} ${r.metric}`).join(', ')}` : ''}`);
  }
}

export function verdict(r: Row): string {
  if (!r.target || !Number.isFinite(r.value)) return '';
  const ok = r.target.kind === 'max' ? r.value <= r.target.value : r.value >= r.target.value;
  return ok ? 'PASS' : 'MISS';
}

/** Ours ÷ floor: below 1× is slower for throughput (req/s), above 1× is slower for latency (ms). */
export const vsFloor = (r: Row) => (r.floor === undefined || !Number.isFinite(r.value) ? '' : `${(r.value / r.floor).toFixed(2)}×`);
