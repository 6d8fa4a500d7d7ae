// The issue's performance targets, checked against the rows of one run.
import type { KernelKind } from "./cases";
import type { KernelResult } from "./results";

export interface TargetCheck {
  label: string;
  /** Measured value in `unit`; undefined when a row it needs was not measured. */
  value?: number;
  target: number;
  unit: "%" | "×";
  pass?: boolean;
}

type Metric = (row: KernelResult) => number | undefined;

interface Target {
  caseName: string;
  kind: KernelKind;
  label: string;
  target: number;
  unit: "%" | "×";
  metric: Metric;
}

const percentOfRoof: Metric = (row) => row.percentOfRoof;
const relaxedVsF32: Metric = (row) => row.relaxedVsF32;
const relaxedVsOrt: Metric = (row) =>
  row.relaxedOverOrt === undefined ? undefined : 1 / row.relaxedOverOrt;
const speedupVsF32: Metric = (row) => row.speedupVsF32;
const speedupVsOneThread: Metric = (row) => row.speedupVsOneThread;
/** ONNX Runtime's time ÷ ours: how many times faster we are. */
const speedupVsOrt: Metric = (row) =>
  row.oursOverOrt === undefined ? undefined : 1 / row.oursOverOrt;

const GEMV_LARGE = "GEMV 1×4096×11008";
export const GEMM_LARGE = "GEMM 256×1024×1024";

export const ISSUE_TARGETS: readonly Target[] = [
  ...["GEMV 1×1024×1024", "GEMV 1×4096×4096", GEMV_LARGE].map((caseName) => ({
    caseName,
    kind: "f32" as const,
    label: `FP32 ${caseName} ≥ 85% of stream bandwidth`,
    target: 85,
    unit: "%" as const,
    metric: percentOfRoof,
  })),
  {
    caseName: GEMM_LARGE,
    kind: "f32",
    label: `FP32 ${GEMM_LARGE} ≥ 60% of f32 peak`,
    target: 60,
    unit: "%",
    metric: percentOfRoof,
  },
  {
    caseName: GEMM_LARGE,
    kind: "f32",
    label: `FP32 ${GEMM_LARGE} ≥ 1.3× ORT`,
    target: 1.3,
    unit: "×",
    metric: speedupVsOrt,
  },
  {
    caseName: GEMV_LARGE,
    kind: "qd8",
    label: `INT8 ${GEMV_LARGE} ≥ 3× our FP32`,
    target: 3,
    unit: "×",
    metric: speedupVsF32,
  },
  {
    caseName: GEMV_LARGE,
    kind: "qd8",
    label: `INT8 ${GEMV_LARGE} ≥ 2.5× ORT int8`,
    target: 2.5,
    unit: "×",
    metric: speedupVsOrt,
  },
  {
    caseName: GEMM_LARGE,
    kind: "qd8",
    label: `INT8 ${GEMM_LARGE} ≥ 90% of i16-dot peak`,
    target: 90,
    unit: "%",
    metric: percentOfRoof,
  },
  {
    caseName: GEMM_LARGE,
    kind: "qd8",
    label: `INT8 ${GEMM_LARGE} ≥ 1.0× ORT int8`,
    target: 1,
    unit: "×",
    metric: speedupVsOrt,
  },
  {
    caseName: GEMV_LARGE,
    kind: "w4a8",
    label: `W4A8 ${GEMV_LARGE} ≥ 5× our FP32`,
    target: 5,
    unit: "×",
    metric: speedupVsF32,
  },
  {
    caseName: GEMV_LARGE,
    kind: "w4a8",
    label: `W4A8 ${GEMV_LARGE} ≥ 30× ORT MatMulNBits`,
    target: 30,
    unit: "×",
    metric: speedupVsOrt,
  },
  ...(["f32", "qd8"] as const).map((kind) => ({
    caseName: GEMM_LARGE,
    kind,
    label: `${kind === "f32" ? "FP32" : "INT8"} ${GEMM_LARGE} on all threads ≥ 1.8× our 1 thread (target for 2 threads)`,
    target: 1.8,
    unit: "×" as const,
    metric: speedupVsOneThread,
  })),
  {
    caseName: GEMM_LARGE,
    kind: "qd8",
    label: `relaxed SIMD: INT8 ${GEMM_LARGE} ≥ 1.5× ORT int8`,
    target: 1.5,
    unit: "×",
    metric: relaxedVsOrt,
  },
  {
    caseName: GEMV_LARGE,
    kind: "w4a8",
    label: `relaxed SIMD: W4A8 ${GEMV_LARGE} ≥ 5× our FP32`,
    target: 5,
    unit: "×",
    metric: relaxedVsF32,
  },
  {
    caseName: GEMV_LARGE,
    kind: "w4a32",
    label: `W4A32 ${GEMV_LARGE} ≥ 1.0× our FP32`,
    target: 1,
    unit: "×",
    metric: speedupVsF32,
  },
];

export function checkTargets(
  results: readonly KernelResult[],
  targets: readonly Target[] = ISSUE_TARGETS,
): TargetCheck[] {
  return targets.map((t) => {
    const row = results.find(
      (r) => r.caseName === t.caseName && r.kind === t.kind,
    );
    const value = row && t.metric(row);
    return {
      label: t.label,
      value,
      target: t.target,
      unit: t.unit,
      pass: value === undefined ? undefined : value >= t.target,
    };
  });
}

export function formatCheck(check: TargetCheck): string {
  if (check.value === undefined) return `${check.label}: not measured`;
  const value =
    check.unit === "%"
      ? `${check.value.toFixed(0)}%`
      : `${check.value.toFixed(2)}×`;
  return `${check.label}: ${value} ${check.pass ? "✓" : "✗"}`;
}
