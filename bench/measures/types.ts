import type { BenchTarget } from '../harness/setup.js';
import type { Report } from '../harness/report.js';

export interface BenchContext {
  target: BenchTarget;
  report: Report;
  /** Memories in the database when the measurement runs (10k, 100k). */
  size: number;
  quick: boolean;
  /** Data-set seed: the same seed gives the same memories and queries. */
  seed: number;
  /** --measure named this measurement (a slow one may then run in a --quick run too). */
  named: boolean;
}

/**
 * One measurement. `perSize` ones run on every target at every data-set size; `once` ones run
 * once per target after the last size (e.g. startup times that do not depend on data volume).
 */
export interface Measure {
  name: string;
  when: 'perSize' | 'once';
  run(ctx: BenchContext): Promise<void>;
}

/** "10k", "100k": for metric names. */
export const sizeLabel = (n: number) => (n >= 1000 ? `${Math.round(n / 1000)}k` : String(n));
