// The part of the engine's Embind module the benchmark uses: engine/bindings/bench.cpp plus the
// quant layer's quantize (engine/bindings/quant.cpp), so ONNX Runtime gets the very same
// quantized weights as our kernels.

import type { ConvCase } from "./cases";

/** An Embind object: its wasm memory is freed by delete(), not by the garbage collector. */
interface Deletable {
  delete(): void;
}

export interface StreamReadProbe extends Deletable {
  bytes(): number;
  /** One pass over the buffer as 1, 2 or 4 parallel sequential streams; returns a checksum. */
  pass(streams: number): number;
}

/** One kernel call with packed weights, input and output in wasm memory. */
export interface BenchCall extends Deletable {
  run(repetitions: number): void;
  output(): Float32Array;
  weightBytes(): number;
}

export interface RawEnum {
  value: number;
}

export interface RawQuantScheme {
  bits: number;
  symmetric: boolean;
  granularity: RawEnum;
  axis: number;
  groupSize: number;
}

export interface RawQuantizedTensor {
  shape: Uint32Array;
  scheme: RawQuantScheme;
  data: Uint8Array;
  scales: Float32Array;
  zeroPoints: Int32Array;
}

/** NCHW convolution geometry: the fields of a ConvCase. */
export type RawConvShape = Omit<ConvCase, "op" | "name">;

export interface BenchModule {
  RooflineStreamRead: new (bytes: number) => StreamReadProbe;
  rooflineF32MulAdd(
    iterations: number,
    multiplier: number,
    addend: number,
  ): number;
  rooflineF32MulAddFlops(iterations: number): number;
  rooflineI16Dot(iterations: number, seed: number): number;
  rooflineI16DotOps(iterations: number): number;
  rooflineI16DotAdd(iterations: number, seed: number): number;

  Granularity: Record<"per_tensor" | "per_channel" | "per_group", RawEnum>;
  quantize(
    values: Float32Array,
    dims: readonly number[],
    scheme: RawQuantScheme,
  ): RawQuantizedTensor;
  dequantize(quantized: RawQuantizedTensor): Float32Array;

  benchMatmulF32(
    m: number,
    n: number,
    k: number,
    weights: Float32Array,
    activations: Float32Array,
  ): BenchCall;
  // Bound as the kernel families land; absent ones are reported as not available.
  /** INT8 weights against per-row dynamically quantized activations (qd8). */
  benchMatmulQC8W?(
    m: number,
    weights: RawQuantizedTensor,
    activations: Float32Array,
  ): BenchCall;
  /** 4-bit weights against f32 activations (W4A32) or dynamic int8 ones (W4A8). */
  benchMatmulQC4W?(
    m: number,
    weights: RawQuantizedTensor,
    activations: Float32Array,
    int8Activations: boolean,
  ): BenchCall;
  benchConv2dF32?(
    shape: RawConvShape,
    weights: Float32Array,
    input: Float32Array,
  ): BenchCall;
  benchConv2dQC8W?(
    shape: RawConvShape,
    weights: RawQuantizedTensor,
    input: Float32Array,
  ): BenchCall;
  benchConv2dQC4W?(
    shape: RawConvShape,
    weights: RawQuantizedTensor,
    input: Float32Array,
    int8Activations: boolean,
  ): BenchCall;
}
