// The whole report as text: roofline, table, agreement with ONNX Runtime, target checks.
import { KIND_LABELS } from "./cases";
import type { Agreement } from "./agreement";
import type { KernelResult } from "./results";
import type { Roofline } from "./roofline";
import type { BenchReport } from "./runner";
import { formatRoofline, formatTable } from "./table";
import { formatCheck, GEMM_LARGE as INT8_GEMM_CASE } from "./targets";

export function formatAgreement(a: Agreement): string {
  const what =
    a.test === "rounding"
      ? `max |ours − ORT| ÷ f32 rounding bound = ${a.measured.toPrecision(2)} (limit ${a.limit})`
      : `RMS(ours − ORT) ÷ RMS(ours) = ${(100 * a.measured).toFixed(2)}% (limit ${100 * a.limit}%)`;
  return `${KIND_LABELS[a.kind]}: ${what} ${a.pass ? "✓" : "✗"}`;
}

/**
 * An int8 GEMM adds every dot into an accumulator, so the dot + accumulate probe, not the bare
 * dot peak, is what its inner loop can reach at best: say where the large INT8 GEMM sits
 * against both.
 */
export function formatDotAddCeiling(
  roofline: Roofline,
  results: readonly KernelResult[],
): string | undefined {
  const { i16DotGops, i16DotAddGops } = roofline;
  const row = results.find(
    (r) => r.caseName === INT8_GEMM_CASE && r.kind === "qd8",
  );
  if (!row) return undefined;
  const ofPeak = (100 * i16DotAddGops) / i16DotGops;
  const ofCeiling = (100 * row.gflops) / i16DotAddGops;
  return (
    `(a loop of nothing but dot + accumulate reaches ${ofPeak.toFixed(0)}% of the dot peak on this machine; ` +
    `INT8 ${INT8_GEMM_CASE} runs at ${ofCeiling.toFixed(0)}% of that ceiling)`
  );
}

export function formatReport(report: BenchReport): string {
  const t = report.timing;
  const lines = [
    `roofline: ${formatRoofline(report.roofline)}`,
    `timing: median of ${t.samples} samples of ≥${t.minSampleMs} ms after ≥${t.warmupMs} ms warm-up (roofs: fastest sample); ` +
      `ms per call; ±% = median absolute deviation; % roof = GFLOP/s ÷ min(peak, intensity × stream BW); ` +
      `a GEMV's stream BW (bound column) is the probe's median over samples interleaved with its kernels; ` +
      `×FP32 = our FP32 time ÷ this time; ours÷ORT < 1: ours faster`,
    "",
    formatTable(report.results),
  ];
  if (report.results.some((r) => r.percentOfRoof > 100)) {
    lines.push(
      "",
      "above 100% of the roof: the data stays in cache between calls, so the streaming-read " +
        "bandwidth of memory does not bound it",
    );
  }
  if (report.unavailable.length > 0)
    lines.push(
      "",
      `not in this engine build: ${report.unavailable.join(", ")}`,
    );
  if (report.agreement.length > 0) {
    lines.push(
      "",
      `outputs vs ONNX Runtime on ${report.results[0]?.caseName ?? ""}:`,
    );
    lines.push(...report.agreement.map((a) => `  ${formatAgreement(a)}`));
  }
  lines.push(
    "",
    "issue targets:",
    ...report.checks.map((c) => `  ${formatCheck(c)}`),
  );
  const ceiling = formatDotAddCeiling(report.roofline, report.results);
  if (ceiling) lines.push(`  ${ceiling}`);
  return lines.join("\n");
}
