// Seeded sample data for the playground: a [rows, k] matrix shaped like a Linear layer's
// weight [out, in]. The same seed always gives the same numbers.
import { seededRandom } from "quantlab";

export type Distribution = "normal" | "laplace" | "outliers" | "uniform";

export const DISTRIBUTION_LABELS: Record<Distribution, string> = {
  normal: "Normal (Gaussian)",
  laplace: "Laplace (heavier tails)",
  outliers: "Normal with 0.5 % outliers",
  uniform: "Uniform",
};

export interface SampleOptions {
  distribution: Distribution;
  rows: number;
  k: number;
  seed: number;
  /** Give each row its own magnitude, as trained weights have: what per-channel scales exploit. */
  varyRows: boolean;
}

export function sampleValues({
  distribution,
  rows,
  k,
  seed,
  varyRows,
}: SampleOptions): Float32Array {
  const uniform = seededRandom(seed);
  const normal = () =>
    Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const draw: Record<Distribution, () => number> = {
    normal,
    // Laplace with unit variance: exponential magnitude with a random sign.
    laplace: () =>
      (uniform() < 0.5 ? -1 : 1) * Math.log(uniform()) * Math.SQRT1_2,
    outliers: () => (uniform() < 0.005 ? 8 + 4 * uniform() : 1) * normal(),
    uniform: () => 2 * uniform() - 1,
  };
  const next = draw[distribution];
  const values = new Float32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const rowScale = varyRows ? Math.exp(0.6 * normal()) : 1;
    for (let c = 0; c < k; c++) values[r * k + c] = rowScale * next();
  }
  return values;
}
