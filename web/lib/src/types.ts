// Public types of the quantization API. Their meaning is defined once, in the engine's
// engine/include/quantlab/quant.h and docs/quantization.md; field names are camelCase here.

/** Bits per quantized value: INT8 or INT4. */
export type Bits = 8 | 4;

/** One scale per tensor, per slice along `axis`, or per `groupSize` values along a row. */
export type Granularity = "per_tensor" | "per_channel" | "per_group";

/** Every Granularity, in the order the app lists them. */
export const GRANULARITIES: readonly Granularity[] = [
  "per_tensor",
  "per_channel",
  "per_group",
];

/** A complete quantization scheme, as the engine stores it. */
export interface QuantScheme {
  bits: Bits;
  /** Zero point fixed at 0 and scale from max|x|; otherwise [min, max] maps onto the full range. */
  symmetric: boolean;
  granularity: Granularity;
  /** per_channel: the axis whose slices each get a scale (4-bit: only 0, the output channel). */
  axis: number;
  /** per_group: values per group along a row; the last group of a row may be shorter. */
  groupSize: number;
}

/** A scheme where only `bits` is required; the rest take the engine's defaults. */
export type QuantSchemeOptions = Pick<QuantScheme, "bits"> &
  Partial<Omit<QuantScheme, "bits">>;

/** Dims in row-major order; the first dim is the row (output channel) of the matrix view. */
export type Shape = readonly number[];

/** Values to quantize: copied into the engine, never retained. */
export type FloatInput = Float32Array | readonly number[];

/** A tensor as the engine quantized it: integer data plus its scales and zero points. */
export interface QuantizedTensor {
  shape: number[];
  scheme: QuantScheme;
  /** 8-bit: one int8 bit pattern per value. 4-bit: two values per byte, low nibble first. */
  data: Uint8Array;
  /** One per tensor, channel or group. */
  scales: Float32Array;
  /** Same count as scales; all 0 when symmetric. */
  zeroPoints: Int32Array;
}

/** Round-trip error of an approximation against the reference. */
export interface ErrorStats {
  mse: number;
  maxAbsError: number;
  meanAbsError: number;
  /** Mean of x². */
  signalPower: number;
  /** 10·log10(signalPower / mse); Infinity when the round trip is exact. */
  sqnrDb: number;
}

/** Storage of a quantized tensor, counting scales and zero points. */
export interface StorageBits {
  payloadBits: number;
  parameterBits: number;
  totalBits: number;
  bitsPerWeight: number;
}

/** The integers a scheme maps onto, [qmin, qmax]. */
export interface IntRange {
  qmin: number;
  qmax: number;
}

/** quantize → dequantize of one tensor, with its error and storage. */
export interface RoundTripResult {
  quantized: QuantizedTensor;
  /** dequantize(quantize(values)). */
  restored: Float32Array;
  error: ErrorStats;
  storage: StorageBits;
}
