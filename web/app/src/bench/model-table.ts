// The end-to-end table: one definition of its columns, rendered as aligned text (Node and
// `npm run bench:chromium`) or as cells of the bench page's table, and the end-to-end
// targets checked on its rows.
import { alignColumns, formatNumber } from "./table";
import { FP32_LOGIT_TOLERANCE, INT8_LOGIT_TOLERANCE } from "./logit-agreement";
import type { ModelRow } from "./model-rows";
import type { TargetCheck } from "./targets";

/** Column headers for the rows of a run that timed `plans` besides FP32. */
export function modelTableHeader(plans: readonly string[]): string[] {
  return [
    "model",
    "batch",
    "threads",
    ...["fp32", ...plans].map((plan) => `${planLabel(plan)} ms`),
    "ORT FP32 ms",
    "ORT int8 ms",
    "INT8 vs ORT FP32",
    "INT8 vs ORT int8",
    "FP32 vs ORT FP32",
    "FP32 max |Δ|",
    "int8 max |Δ|",
    "int8 top-1 same",
  ];
}

/** Columns that hold numbers (right-aligned): all but the model's name. */
export const isNumericModelColumn = (column: number) => column > 0;

/** ONNX Runtime's time ÷ ours: above 1, ours is faster. */
const speedup = (theirs: number | undefined, ours: number | undefined) =>
  theirs === undefined || ours === undefined ? undefined : theirs / ours;

export function modelTableRow(r: ModelRow, plans: readonly string[]): string[] {
  const fp32 = r.ours.fp32;
  return [
    r.model,
    String(r.batch),
    String(r.threads),
    formatNumber(fp32),
    // A quantized plan's time with its speed-up over our FP32 in the same run.
    ...plans.map(
      (plan) =>
        `${formatNumber(r.ours[plan])} (${formatNumber(speedup(fp32, r.ours[plan]), 2)}×)`,
    ),
    formatNumber(r.ort),
    formatNumber(r.ortInt8),
    formatNumber(speedup(r.ort, r.ours.int8)),
    formatNumber(speedup(r.ortInt8, r.ours.int8)),
    formatNumber(speedup(r.ort, fp32)),
    r.ortDifference?.toExponential(1) ?? "—",
    r.ortInt8Difference?.toExponential(1) ?? "—",
    r.ortInt8Agreement === undefined
      ? "—"
      : `${(100 * r.ortInt8Agreement).toFixed(1)}%`,
  ];
}

/** Aligned text table, as `npm run bench` and `npm run bench:chromium` print it. */
export function formatModelTable(
  rows: readonly ModelRow[],
  plans: readonly string[],
): string {
  return alignColumns(
    modelTableHeader(plans),
    rows.map((r) => modelTableRow(r, plans)),
    isNumericModelColumn,
  ).lines.join("\n");
}

/** What the table's abbreviations mean, for a caption or a footnote. */
export const MODEL_TABLE_LEGEND =
  "ms per classify call (median of interleaved samples); (×): speed-up over our FP32 in the same run; " +
  "X vs ORT: ONNX Runtime's time ÷ ours (above 1: ours faster); max |Δ|: largest logit difference " +
  "from ONNX Runtime relative to the largest logit; top-1 same: images whose top class agrees";

/**
 * Issue 14's end-to-end targets, our INT8 fashion-cnn at batch 256 against ONNX Runtime's FP32
 * graph and its int8 graph at the same threads, and the kernels issue's FP32 executor target.
 */
export function modelTargets(rows: readonly ModelRow[]): TargetCheck[] {
  const cnn = rows.find((r) => r.model === "fashion-cnn" && r.batch === 256);
  const check = (
    label: string,
    value: number | undefined,
    target: number,
  ): TargetCheck => ({
    label,
    value,
    target,
    unit: "×",
    pass: value === undefined ? undefined : value >= target,
  });
  return [
    check(
      "our INT8 fashion-cnn (batch 256) ≥ 1.5× ONNX Runtime Web's FP32",
      speedup(cnn?.ort, cnn?.ours.int8),
      1.5,
    ),
    check(
      "our INT8 fashion-cnn (batch 256) ≥ 1.0× ONNX Runtime Web's int8 QDQ graph",
      speedup(cnn?.ortInt8, cnn?.ours.int8),
      1.0,
    ),
    check(
      "our FP32 fashion-cnn (batch 256) ≥ 1.3× ONNX Runtime Web's FP32",
      speedup(cnn?.ort, cnn?.ours.fp32),
      1.3,
    ),
  ];
}

/**
 * One sentence per model in plain words, at batch 256 (where a whole model's arithmetic, not
 * call overhead, sets the time): our INT8 against our FP32 and ONNX Runtime's two graphs.
 */
export function plainModelSummary(rows: readonly ModelRow[]): string[] {
  const than = (theirs: number | undefined, ours: number, what: string) => {
    if (theirs === undefined) return [];
    const ratio = theirs / ours;
    return [
      ratio >= 1
        ? `${ratio.toFixed(1)}× faster than ${what}`
        : `${(1 / ratio).toFixed(1)}× slower than ${what}`,
    ];
  };
  return rows
    .filter((r) => r.batch === 256 && r.ours.int8 !== undefined)
    .map((r) => {
      const int8 = r.ours.int8!;
      const comparisons = [
        ...than(r.ours.fp32, int8, "our FP32"),
        ...than(r.ort, int8, "ONNX Runtime's FP32 graph"),
        ...than(r.ortInt8, int8, "its int8 graph"),
      ];
      return `${r.model}, 256 images per call: our INT8 took ${formatNumber(int8)} ms, ${comparisons.join(", ")}.`;
    });
}

/**
 * Whether ONNX Runtime computed what we computed on every row: FP32 logits within
 * FP32_LOGIT_TOLERANCE, int8 ones within INT8_LOGIT_TOLERANCE with as many top classes the same.
 */
export function formatModelAgreement(rows: readonly ModelRow[]): string {
  const compared = rows.filter((r) => r.ortDifference !== undefined);
  if (compared.length === 0)
    return "outputs against ONNX Runtime: not compared";
  const worst = (values: number[]) => Math.max(...values);
  const fp32 = worst(compared.map((r) => r.ortDifference!));
  const int8 = worst(compared.map((r) => r.ortInt8Difference!));
  const agreement = Math.min(...compared.map((r) => r.ortInt8Agreement!));
  const pass =
    fp32 <= FP32_LOGIT_TOLERANCE &&
    int8 <= INT8_LOGIT_TOLERANCE.difference &&
    agreement >= INT8_LOGIT_TOLERANCE.agreement;
  return (
    `outputs against ONNX Runtime on every row: FP32 max |Δ| ${fp32.toExponential(1)} (limit ${FP32_LOGIT_TOLERANCE.toExponential(0)}), ` +
    `int8 max |Δ| ${int8.toExponential(1)} (limit ${INT8_LOGIT_TOLERANCE.difference.toExponential(0)}), ` +
    `int8 top-1 same ≥ ${(100 * agreement).toFixed(1)}% (limit ${100 * INT8_LOGIT_TOLERANCE.agreement}%) ${pass ? "✓" : "✗"}`
  );
}

/** "INT8", "W4A8", "INT8 dyn" …: a plan's name as the tables write it. */
function planLabel(plan: string): string {
  return plan === "int8-dynamic" ? "INT8 dyn" : plan.toUpperCase();
}
