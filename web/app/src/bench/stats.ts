// Summary statistics of repeated timings. Medians rather than means: a run disturbed by another
// process or a garbage collection moves the mean but not the median.

export interface Summary {
  median: number;
  min: number;
  max: number;
  /** Median absolute deviation from the median, divided by the median: the run-to-run noise. */
  relativeSpread: number;
  count: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of an empty list");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]!
    : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function summarize(values: readonly number[]): Summary {
  const mid = median(values);
  const deviation = median(values.map((v) => Math.abs(v - mid)));
  return {
    median: mid,
    min: Math.min(...values),
    max: Math.max(...values),
    relativeSpread: mid === 0 ? 0 : deviation / mid,
    count: values.length,
  };
}
