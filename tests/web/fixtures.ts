// Deterministic test data shared by the library tests.
import { seededRandom } from "../../web/lib/src/index";

/** Normally distributed values (Box–Muller over the library's seeded generator). */
export function normalValues(count: number, seed = 1): Float32Array {
  const uniform = seededRandom(seed);
  return Float32Array.from(
    { length: count },
    () =>
      Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()),
  );
}
