// Our side of a benchmark case: weights quantized by the engine for the kernel kind (the same
// codes and scales go to ONNX Runtime), and the engine call that runs the kernel.
import {
  gemmDims,
  INT4_GROUP_SIZE,
  type BenchCase,
  type KernelKind,
} from "./cases";
import type {
  BenchCall,
  BenchModule,
  RawQuantizedTensor,
  RawQuantScheme,
} from "./bench-module";
import type { CaseWeights } from "./ort-models";

export interface PreparedWeights {
  /** What ONNX Runtime gets. */
  forOrt: CaseWeights;
  /** The engine's quantized tensor (quantized kinds only). */
  quantized?: RawQuantizedTensor;
}

/** The kernels' weight formats: int8 symmetric per output channel; 4-bit symmetric, group 32. */
function schemeFor(
  engine: BenchModule,
  kind: "qd8" | "w4a32" | "w4a8",
): RawQuantScheme {
  return kind === "qd8"
    ? {
        bits: 8,
        symmetric: true,
        granularity: engine.Granularity.per_channel,
        axis: 0,
        groupSize: INT4_GROUP_SIZE,
      }
    : {
        bits: 4,
        symmetric: true,
        granularity: engine.Granularity.per_group,
        axis: 0,
        groupSize: INT4_GROUP_SIZE,
      };
}

export function prepareWeights(
  engine: BenchModule,
  c: BenchCase,
  kind: KernelKind,
  weights: Float32Array,
): PreparedWeights {
  if (kind === "f32") return { forOrt: { kind, values: weights } };
  const { n, k } = gemmDims(c);
  const quantized = engine.quantize(weights, [n, k], schemeFor(engine, kind));
  return {
    forOrt: { kind, codes: quantized.data, scales: quantized.scales },
    quantized,
  };
}

/** Whether this build of the engine binds the kernel (kernels land one family at a time). */
export function engineSupports(
  engine: BenchModule,
  c: BenchCase,
  kind: KernelKind,
): boolean {
  return typeof engine[factoryName(c, kind)] === "function";
}

type FactoryName =
  | "benchMatmulF32"
  | "benchMatmulQC8W"
  | "benchMatmulQC4W"
  | "benchConv2dF32"
  | "benchConv2dQC8W"
  | "benchConv2dQC4W";

function factoryName(c: BenchCase, kind: KernelKind): FactoryName {
  const weights = kind === "f32" ? "F32" : kind === "qd8" ? "QC8W" : "QC4W";
  return `${c.op === "conv" ? "benchConv2d" : "benchMatmul"}${weights}`;
}

/** Kinds with relaxed-SIMD kernels: int8 activations against INT8 or 4-bit weights. */
export function hasRelaxedKernels(
  engine: BenchModule,
  kind: KernelKind,
): boolean {
  return (
    (kind === "qd8" || kind === "w4a8") &&
    engine.simdKernels() === "relaxed-simd"
  );
}

/**
 * The engine call of a case and kind; `relaxed`: on the relaxed-SIMD kernels (where
 * hasRelaxedKernels), else on the SIMD128 ones.
 */
export function createOurCall(
  engine: BenchModule,
  c: BenchCase,
  kind: KernelKind,
  weights: PreparedWeights,
  input: Float32Array,
  relaxed = false,
): BenchCall {
  const kernels = relaxed ? "relaxed" : "simd128";
  const int8Activations = kind === "w4a8";
  if (c.op === "conv") {
    if (weights.forOrt.kind === "f32")
      return engine.benchConv2dF32!(c, weights.forOrt.values, input);
    if (kind === "qd8")
      return engine.benchConv2dQC8W!(c, weights.quantized!, input, kernels);
    return engine.benchConv2dQC4W!(
      c,
      weights.quantized!,
      input,
      int8Activations,
      kernels,
    );
  }
  if (weights.forOrt.kind === "f32")
    return engine.benchMatmulF32(c.m, c.n, c.k, weights.forOrt.values, input);
  if (kind === "qd8")
    return engine.benchMatmulQC8W!(c.m, weights.quantized!, input, kernels);
  return engine.benchMatmulQC4W!(
    c.m,
    weights.quantized!,
    input,
    int8Activations,
    kernels,
  );
}
