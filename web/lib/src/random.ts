// A small seeded generator for reproducible sample data (demos, tests, benchmarks): the same
// seed gives the same sequence on every machine. Not for anything security related.

/** mulberry32. Each call returns a uniform number in (0, 1); never 0, so log() is always safe. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 2 ** 32;
  };
}
