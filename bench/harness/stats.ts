/** Percentile (nearest rank) of samples in ms. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface Latency { p50: number; p95: number; mean: number; n: number }

export function latency(samples: readonly number[]): Latency {
  return {
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
    n: samples.length,
  };
}

/** Runs `fn` sequentially over `inputs` (after `warmup` untimed runs) and returns per-call ms. */
export async function timeEach<T>(inputs: readonly T[], fn: (input: T) => Promise<unknown>, warmup = 20): Promise<number[]> {
  for (let i = 0; i < Math.min(warmup, inputs.length); i++) await fn(inputs[i]!);
  const out: number[] = [];
  for (const input of inputs) {
    const t = performance.now();
    await fn(input);
    out.push(performance.now() - t);
  }
  return out;
}

/** Wall-clock ms of one async call. */
export async function elapsed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export const fmt = (n: number, digits = 2) =>
  !Number.isFinite(n) ? '-' : n >= 1000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(digits);
