// The real values a quantized tensor can represent with one scale and zero point: the
// affine mapping real = scale · (q − zero_point) (docs/quantization.md, Eq. 1) for every
// integer q in [qmin, qmax]. For drawing; quantization itself happens in the engine.
import type { IntRange } from "./types.js";

/** Every real value representable with `scale` and `zeroPoint` over `range`, ascending. */
export function gridLevels(
  range: IntRange,
  scale: number,
  zeroPoint: number,
): Float64Array {
  const levels = new Float64Array(range.qmax - range.qmin + 1);
  for (let i = 0; i < levels.length; i++)
    levels[i] = scale * (range.qmin + i - zeroPoint);
  return levels;
}
