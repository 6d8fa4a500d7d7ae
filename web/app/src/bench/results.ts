// One row of the benchmark: a kernel kind on a case, with every figure derived from the
// measured time in one place.
import {
  compulsoryBytes,
  flops,
  type BenchCase,
  type KernelKind,
} from "./cases";
import { roofBound, type Bound, type Roofline } from "./roofline";
import type { Timing } from "./timing";

export interface KernelResult {
  caseName: string;
  op: BenchCase["op"];
  kind: KernelKind;
  flops: number;
  /** Packed weights with their scales. */
  weightBytes: number;
  /** Flops per compulsory byte (weights, f32 input and output). */
  intensity: number;
  ours: Timing;
  /** Median ms per call. */
  ms: number;
  gflops: number;
  bound: Bound;
  /** Achieved ÷ attainable GFLOP/s, in percent. */
  percentOfRoof: number;
  /** Our FP32 time ÷ this time on the same case (speed-up over FP32); undefined without FP32. */
  speedupVsF32?: number;
  ort?: Timing;
  /** Our time ÷ ONNX Runtime's on the same case and kind (below 1: ours is faster). */
  oursOverOrt?: number;
  /** Threads ours and ONNX Runtime ran with. */
  threads: number;
  /** With threads > 1: our same kernel on one thread, timed in the same interleaved samples. */
  oneThread?: Timing;
  /** oneThread ÷ this time: what the threads bought. */
  speedupVsOneThread?: number;
  /** The same call on the relaxed-SIMD kernels, where this JavaScript engine runs them. */
  relaxed?: Timing;
  /** SIMD128 time ÷ relaxed time: the relaxed kernels' speed-up. */
  relaxedSpeedup?: number;
  /** Our FP32 time ÷ the relaxed time. */
  relaxedVsF32?: number;
  /** Relaxed time ÷ ONNX Runtime's. */
  relaxedOverOrt?: number;
}

export function kernelResult(
  c: BenchCase,
  kind: KernelKind,
  weightBytes: number,
  ours: Timing,
  roofline: Roofline,
  threads: number,
  oneThread?: Timing,
): KernelResult {
  const work = flops(c);
  const bytes = compulsoryBytes(c, weightBytes);
  const gflops = work / (ours.median * 1e6);
  const bound = roofBound(roofline, kind, work, bytes);
  return {
    caseName: c.name,
    op: c.op,
    kind,
    flops: work,
    weightBytes,
    intensity: work / bytes,
    ours,
    ms: ours.median,
    gflops,
    bound,
    percentOfRoof: (100 * gflops) / bound.gflops,
    threads,
    oneThread,
    speedupVsOneThread:
      oneThread === undefined ? undefined : oneThread.median / ours.median,
  };
}

/**
 * Adds the ratios against our FP32 row of the same case, against ONNX Runtime and, with a
 * relaxed-SIMD timing, of that timing.
 */
export function withComparisons(
  result: KernelResult,
  f32Ms: number | undefined,
  ort: Timing | undefined,
  relaxed?: Timing,
): KernelResult {
  const relaxedMs = relaxed?.median;
  return {
    ...result,
    speedupVsF32: f32Ms === undefined ? undefined : f32Ms / result.ms,
    ort,
    oursOverOrt: ort === undefined ? undefined : result.ms / ort.median,
    relaxed,
    relaxedSpeedup: relaxedMs === undefined ? undefined : result.ms / relaxedMs,
    relaxedVsF32:
      relaxedMs === undefined || f32Ms === undefined
        ? undefined
        : f32Ms / relaxedMs,
    relaxedOverOrt:
      relaxedMs === undefined || ort === undefined
        ? undefined
        : relaxedMs / ort.median,
  };
}
