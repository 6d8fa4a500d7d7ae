// The machine's roofline, measured by the engine's probes (engine/include/quantlab/roofline.h),
// and where a kernel sits under it. A kernel's ceiling is min(compute peak, intensity ×
// bandwidth): compute peak of the instruction its inner loop is built on, intensity = flops ÷
// the bytes it must move. GEMVs land under the bandwidth roof, GEMMs under a compute roof.
import type { KernelKind } from "./cases";
import type { BenchModule, StreamReadProbe } from "./bench-module";
import { measure, type TimingOptions } from "./timing";

export interface Roofline {
  /** Streaming read bandwidth, GB/s: the best of reading the buffer as 1, 2 or 4 streams. */
  streamGBs: number;
  /** The stream count that reached streamGBs. */
  streams: number;
  /** f32x4 mul+add peak, GFLOP/s. */
  f32Gflops: number;
  /** i32x4.dot_i16x8 peak, GOP/s (16 operations per instruction). */
  i16DotGops: number;
  /**
   * Dot then accumulate (i32x4.add), the inner step every int8 GEMM needs, with nothing else in
   * the loop: the best rate such a GEMM can reach, in the same GOP/s as the dot peak.
   */
  i16DotAddGops: number;
  /** Relative run-to-run spread of each probe (median absolute deviation ÷ median). */
  spread: { stream: number; f32: number; i16Dot: number; i16DotAdd: number };
}

export type ComputeRoof = "f32" | "i16dot";

/** FP32 and W4A32 multiply f32s; INT8 and W4A8 multiply int16-extended integers. */
export function computeRoof(kind: KernelKind): ComputeRoof {
  return kind === "f32" || kind === "w4a32" ? "f32" : "i16dot";
}

export function peakGops(roofline: Roofline, roof: ComputeRoof): number {
  return roof === "f32" ? roofline.f32Gflops : roofline.i16DotGops;
}

/**
 * What limits a kernel, memory bandwidth (with the streaming GB/s it was placed under) or a
 * compute peak, and the GFLOP/s attainable under it.
 */
export type Bound =
  | { limit: "memory"; gflops: number; streamGBs: number }
  | { limit: ComputeRoof; gflops: number };

export function roofBound(
  roofline: Roofline,
  kind: KernelKind,
  flops: number,
  bytes: number,
): Bound {
  const roof = computeRoof(kind);
  const memoryGflops = (flops / bytes) * roofline.streamGBs;
  const computeGflops = peakGops(roofline, roof);
  return memoryGflops < computeGflops
    ? { limit: "memory", gflops: memoryGflops, streamGBs: roofline.streamGBs }
    : { limit: roof, gflops: computeGflops };
}

export interface ProbeSizes {
  /** Buffer of the streaming probe: far beyond the last-level cache. */
  streamBytes: number;
  /** Loop steps per call of the compute probes. */
  computeIterations: number;
}

export const ISSUE_PROBES: ProbeSizes = {
  streamBytes: 256 * 2 ** 20,
  computeIterations: 4_000_000,
};

/**
 * Streaming passes of `probe` as a timed workload (the checksums go to `checksum`, which the
 * caller may read, so no JIT could drop a pass); `gbs` turns ms per pass into GB/s.
 */
export function streamWorkload(
  probe: StreamReadProbe,
  streams: number,
): {
  run: (n: number) => void;
  gbs: (msPerCall: number) => number;
  checksum: () => number;
} {
  let sink = 0;
  return {
    run: (n) => {
      for (let i = 0; i < n; ++i) sink ^= probe.pass(streams);
    },
    gbs: (msPerCall) => probe.bytes() / (msPerCall * 1e6),
    checksum: () => sink,
  };
}

/** Stream counts the bandwidth probe tries (StreamRead::pass). */
export const STREAM_COUNTS: readonly number[] = [1, 2, 4];

export async function measureRoofline(
  engine: BenchModule,
  sizes: ProbeSizes,
  timing: TimingOptions,
): Promise<Roofline> {
  // Checksums go to a sink the caller could read, so no JIT could drop a call as unused.
  let sink = 0;
  const stream = new engine.RooflineStreamRead(sizes.streamBytes);
  try {
    // The best stream count, each timed by its fastest sample.
    let best = { streams: 0, gbs: 0, spread: 0 };
    for (const streams of STREAM_COUNTS) {
      const streaming = streamWorkload(stream, streams);
      const t = await measure(streaming.run, timing);
      sink ^= streaming.checksum();
      const gbs = streaming.gbs(t.min);
      if (gbs > best.gbs) best = { streams, gbs, spread: t.relativeSpread };
    }
    const f32 = await measure((n) => {
      for (let i = 0; i < n; ++i)
        sink += engine.rooflineF32MulAdd(sizes.computeIterations, 0.5, 1);
    }, timing);
    const dot = await measure((n) => {
      for (let i = 0; i < n; ++i)
        sink ^= engine.rooflineI16Dot(sizes.computeIterations, 3);
    }, timing);
    const dotAdd = await measure((n) => {
      for (let i = 0; i < n; ++i)
        sink ^= engine.rooflineI16DotAdd(sizes.computeIterations, 3);
    }, timing);
    if (Number.isNaN(sink)) throw new Error("roofline probe returned NaN");
    // A ceiling is the best the machine did: the fastest sample, not the median. On a machine
    // shared with other work a median ceiling would sit below what the kernels reach.
    return {
      streamGBs: best.gbs,
      streams: best.streams,
      f32Gflops:
        engine.rooflineF32MulAddFlops(sizes.computeIterations) /
        (f32.min * 1e6),
      i16DotGops:
        engine.rooflineI16DotOps(sizes.computeIterations) / (dot.min * 1e6),
      i16DotAddGops:
        engine.rooflineI16DotOps(sizes.computeIterations) / (dotAdd.min * 1e6),
      spread: {
        stream: best.spread,
        f32: f32.relativeSpread,
        i16Dot: dot.relativeSpread,
        i16DotAdd: dotAdd.relativeSpread,
      },
    };
  } finally {
    stream.delete();
  }
}
