// The Embind module as engine/bindings/*.cpp exports it. Only engine.ts talks to it; everyone
// else uses the typed Engine.
import type { ErrorStats, IntRange, StorageBits } from "./types";

/** An Embind enum value (Module.Granularity.per_tensor, ...). */
export interface RawEnumValue {
  value: number;
}

export interface RawScheme {
  bits: number;
  symmetric: boolean;
  granularity: RawEnumValue;
  axis: number;
  groupSize: number;
}

export interface RawQuantizedTensor {
  shape: ArrayLike<number>;
  scheme: RawScheme;
  data: Uint8Array;
  scales: Float32Array;
  zeroPoints: Int32Array;
}

export interface RawRoundTrip {
  quantized: RawQuantizedTensor;
  restored: Float32Array;
  error: ErrorStats;
  storage: StorageBits;
}

type RawFloats = Float32Array | readonly number[];
type RawDims = readonly number[];

export interface RawEngineModule {
  Granularity: Record<string, RawEnumValue>;
  quantize(x: RawFloats, dims: RawDims, scheme: RawScheme): RawQuantizedTensor;
  dequantize(qt: RawQuantizedTensor): Float32Array;
  errorStats(reference: RawFloats, approx: RawFloats): ErrorStats;
  storageBits(qt: RawQuantizedTensor): StorageBits;
  roundTrip(x: RawFloats, dims: RawDims, scheme: RawScheme): RawRoundTrip;
  paramIndices(qt: RawQuantizedTensor): Uint32Array;
  intRange(bits: number, symmetric: boolean): IntRange;
  validateScheme(scheme: RawScheme, dims: RawDims): void;
  schemeName(scheme: RawScheme): string;
  defaultScheme(): RawScheme;
}

/** Options of the Emscripten MODULARIZE factory that the loader uses. */
export interface RawModuleOptions {
  wasmBinary: ArrayBuffer | Uint8Array;
}

export type RawModuleFactory = (
  options: RawModuleOptions,
) => Promise<RawEngineModule>;
