// Histogram bins aligned with a quantization grid: every grid cell (the values that round to
// one level, level ± step/2) is split into the same whole number of bins, so bars never
// straddle a rounding boundary and a coarse grid shows how many values land on each level.

export interface Histogram {
  /** Bin centres. */
  centers: Float64Array;
  counts: Uint32Array;
}

const MAX_BINS = 160;

/** About two bins per unit of the square root of the count, within [12, 120]. */
function targetBinCount(count: number): number {
  return Math.min(120, Math.max(12, Math.round(2 * Math.sqrt(count))));
}

export function gridHistogram(
  values: ArrayLike<number>,
  levels: Float64Array,
): Histogram {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i]!);
    max = Math.max(max, values[i]!);
  }
  const step = levels.length > 1 ? levels[1]! - levels[0]! : 0;
  const cellsSpanned = step > 0 ? (max - min) / step + 1 : 0;
  if (!(cellsSpanned > 0 && cellsSpanned < MAX_BINS)) {
    // No usable grid (a single level, or one too fine to draw per cell): plain bins over the data.
    return bin(
      values,
      min,
      Math.max(max - min, Number.MIN_VALUE) / targetBinCount(values.length),
      targetBinCount(values.length),
    );
  }
  const perCell = Math.max(
    1,
    Math.min(8, Math.floor(targetBinCount(values.length) / cellsSpanned)),
  );
  const width = step / perCell;
  const gridEdge = levels[0]! - step / 2;
  const start = gridEdge + Math.floor((min - gridEdge) / width) * width;
  return bin(values, start, width, Math.floor((max - start) / width) + 1);
}

function bin(
  values: ArrayLike<number>,
  start: number,
  width: number,
  binCount: number,
): Histogram {
  const counts = new Uint32Array(binCount);
  for (let i = 0; i < values.length; i++) {
    const b = Math.floor((values[i]! - start) / width);
    counts[Math.min(Math.max(b, 0), binCount - 1)]!++;
  }
  return {
    counts,
    centers: Float64Array.from(
      { length: binCount },
      (_, b) => start + (b + 0.5) * width,
    ),
  };
}
