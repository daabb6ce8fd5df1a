/** A small seeded PRNG (mulberry32): the same seed gives the same data set on every run. */
export function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  /**
   * Skewed pick: early entries are more frequent, like words in text. P(first of 200) ≈ 3 %, the
   * median entry ≈ 0.4 %: the most common content word ends up in roughly one memory in six.
   */
  const zipf = <T>(xs: readonly T[]): T => xs[Math.min(xs.length - 1, Math.floor(xs.length * next() ** 1.5))]!;
  return { next, int, pick, zipf };
}
export type Rng = ReturnType<typeof rng>;
