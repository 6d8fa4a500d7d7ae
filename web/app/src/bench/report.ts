// The whole report as text: roofline, table, agreement with ONNX Runtime, target checks.
import { KIND_LABELS } from "./cases";
import type { Agreement } from "./agreement";
import type { BenchReport } from "./runner";
import { formatRoofline, formatTable } from "./table";
import { formatCheck } from "./targets";

export function formatAgreement(a: Agreement): string {
  const what =
    a.test === "rounding"
      ? `max |ours − ORT| ÷ f32 rounding bound = ${a.measured.toPrecision(2)} (limit ${a.limit})`
      : `RMS(ours − ORT) ÷ RMS(ours) = ${(100 * a.measured).toFixed(2)}% (limit ${100 * a.limit}%)`;
  return `${KIND_LABELS[a.kind]}: ${what} ${a.pass ? "✓" : "✗"}`;
}

export function formatReport(report: BenchReport): string {
  const t = report.timing;
  const lines = [
    `roofline: ${formatRoofline(report.roofline)}`,
    `timing: median of ${t.samples} samples of ≥${t.minSampleMs} ms after ≥${t.warmupMs} ms warm-up (roofs: fastest sample); ` +
      `ms per call; ±% = median absolute deviation; % roof = GFLOP/s ÷ min(peak, intensity × stream BW); ` +
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
  return lines.join("\n");
}
