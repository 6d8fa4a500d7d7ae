// The benchmark table: one definition of its columns, rendered as aligned text (Node) or as
// cells for an HTML table (the bench page).
import { KIND_LABELS } from "./cases";
import type { Bound, Roofline } from "./roofline";
import type { KernelResult } from "./results";

const PEAK_LABELS = {
  f32: "f32 peak",
  i16dot: "i16-dot peak",
} as const;

function boundLabel(bound: Bound): string {
  return bound.limit === "memory"
    ? `mem ${bound.streamGBs.toFixed(1)} GB/s`
    : PEAK_LABELS[bound.limit];
}

export const TABLE_HEADER: readonly string[] = [
  "case",
  "kind",
  "threads",
  "ms",
  "±%",
  "GFLOP/s",
  "bound",
  "% roof",
  "×FP32",
  "×1 thread",
  "ORT ms",
  "ours÷ORT",
  "relaxed ms",
  "SIMD128÷relaxed",
  "relaxed÷ORT",
];

const NUMERIC_COLUMNS: ReadonlySet<number> = new Set([
  2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14,
]);

/** Whether a kernel table column holds numbers (right-aligned). */
export const isNumericKernelColumn = (column: number) =>
  NUMERIC_COLUMNS.has(column);

export function formatNumber(value: number | undefined, digits = 3): string {
  if (value === undefined || !Number.isFinite(value)) return "—";
  if (value === 0) return "0";
  // Significant digits, but never scientific notation and never more than 3 decimals.
  const decimals = Math.min(
    3,
    Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(value)))),
  );
  return value.toFixed(decimals);
}

export function tableRow(r: KernelResult): string[] {
  return [
    r.caseName,
    KIND_LABELS[r.kind],
    String(r.threads),
    formatNumber(r.ms),
    (100 * r.ours.relativeSpread).toFixed(1),
    formatNumber(r.gflops),
    boundLabel(r.bound),
    r.percentOfRoof.toFixed(0),
    formatNumber(r.speedupVsF32),
    formatNumber(r.speedupVsOneThread),
    formatNumber(r.ort?.median),
    formatNumber(r.oursOverOrt),
    formatNumber(r.relaxed?.median),
    formatNumber(r.relaxedSpeedup),
    formatNumber(r.relaxedOverOrt),
  ];
}

/**
 * A text table's columns padded to their widest cell, numbers right-aligned: `lines` holds the
 * header's line, then every row's.
 */
export function alignColumns(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  isNumeric: (column: number) => boolean,
): { lines: string[]; widths: number[] } {
  const widths = header.map((h, col) =>
    Math.max(h.length, ...rows.map((r) => r[col]!.length)),
  );
  const lines = [header, ...rows].map((cells) =>
    cells
      .map((cell, col) =>
        isNumeric(col)
          ? cell.padStart(widths[col]!)
          : cell.padEnd(widths[col]!),
      )
      .join("  ")
      .trimEnd(),
  );
  return { lines, widths };
}

/** Aligned text table with a rule under the header and between cases. */
export function formatTable(results: readonly KernelResult[]): string {
  const {
    lines: [header, ...rows],
    widths,
  } = alignColumns(TABLE_HEADER, results.map(tableRow), isNumericKernelColumn);
  const out = [header!, widths.map((w) => "-".repeat(w)).join("  ")];
  results.forEach((r, i) => {
    if (i > 0 && results[i - 1]!.caseName !== r.caseName) out.push("");
    out.push(rows[i]!);
  });
  return out.join("\n");
}

export function formatRoofline(r: Roofline): string {
  const spread = (x: number) => `±${(100 * x).toFixed(1)}%`;
  return [
    `stream read ${r.streamGBs.toFixed(1)} GB/s (${r.streams} stream${r.streams === 1 ? "" : "s"}, ${spread(r.spread.stream)})`,
    `f32x4 mul+add ${r.f32Gflops.toFixed(1)} GFLOP/s (${spread(r.spread.f32)})`,
    `i32x4.dot_i16x8 ${r.i16DotGops.toFixed(1)} GOP/s (${spread(r.spread.i16Dot)})`,
    `dot + accumulate ${r.i16DotAddGops.toFixed(1)} GOP/s = ${((100 * r.i16DotAddGops) / r.i16DotGops).toFixed(0)}% of the dot peak (${spread(r.spread.i16DotAdd)})`,
  ].join(", ");
}
