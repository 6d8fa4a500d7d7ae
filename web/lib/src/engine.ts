// The typed, synchronous face of the engine in the current thread. It converts between the
// public types and the Embind module and checks only what Embind would otherwise garble
// (strings for enums, negative or fractional sizes that would wrap to huge unsigned values);
// every numerical rule is the engine's, and so are its error messages.
import type {
  RawEngineModule,
  RawEnumValue,
  RawQuantizedTensor,
  RawScheme,
} from "./engine-module.js";
import { invalidArgument } from "./errors.js";
import {
  GRANULARITIES,
  type Bits,
  type ErrorStats,
  type FloatInput,
  type Granularity,
  type IntRange,
  type QuantizedTensor,
  type QuantScheme,
  type QuantSchemeOptions,
  type RoundTripResult,
  type Shape,
  type StorageBits,
} from "./types.js";

export interface Engine {
  /** The engine's default scheme (what omitted options become). */
  readonly defaultScheme: QuantScheme;
  /** Quantize with min-max parameters per tensor, channel or group. */
  quantize(
    values: FloatInput,
    shape: Shape,
    scheme: QuantSchemeOptions,
  ): QuantizedTensor;
  dequantize(quantized: QuantizedTensor): Float32Array;
  errorStats(reference: FloatInput, approx: FloatInput): ErrorStats;
  /** Storage of a quantized tensor including its scales and zero points. */
  storageBits(quantized: QuantizedTensor): StorageBits;
  bitsPerWeight(quantized: QuantizedTensor): number;
  /** quantize, dequantize and compare in one call. */
  roundTrip(
    values: FloatInput,
    shape: Shape,
    scheme: QuantSchemeOptions,
  ): RoundTripResult;
  /** For each element, the index of its scale and zero point. */
  paramIndices(quantized: QuantizedTensor): Uint32Array;
  /** The integer range [qmin, qmax] of a scheme. */
  intRange(bits: Bits, symmetric: boolean): IntRange;
  /** Throws an InvalidArgument error if scheme cannot quantize a tensor of shape. */
  validateScheme(scheme: QuantSchemeOptions, shape: Shape): void;
  /** A short human-readable name such as "int4 sym per_group(32)". */
  schemeName(scheme: QuantSchemeOptions): string;
}

export function createEngine(raw: RawEngineModule): Engine {
  const granularityOf = (value: RawEnumValue): Granularity => {
    const name = GRANULARITIES.find((g) => raw.Granularity[g] === value);
    if (name === undefined)
      throw new Error(
        `unknown granularity value ${value.value} from the engine`,
      );
    return name;
  };
  const fromRawScheme = (scheme: RawScheme): QuantScheme => ({
    bits: scheme.bits as Bits,
    symmetric: scheme.symmetric,
    granularity: granularityOf(scheme.granularity),
    axis: scheme.axis,
    groupSize: scheme.groupSize,
  });
  const defaultScheme = Object.freeze(fromRawScheme(raw.defaultScheme()));

  const toRawScheme = (options: QuantSchemeOptions): RawScheme => {
    const scheme: QuantScheme = { ...defaultScheme, ...definedOnly(options) };
    if (!GRANULARITIES.includes(scheme.granularity)) {
      throw invalidArgument(
        `granularity must be one of ${GRANULARITIES.join(", ")} (got ${JSON.stringify(scheme.granularity)})`,
      );
    }
    requireInteger("bits", scheme.bits);
    requireCount("axis", scheme.axis);
    requireCount("groupSize", scheme.groupSize);
    return { ...scheme, granularity: raw.Granularity[scheme.granularity]! };
  };
  const toRawTensor = (q: QuantizedTensor): RawQuantizedTensor => ({
    ...q,
    shape: checkedDims(q.shape),
    scheme: toRawScheme(q.scheme),
  });
  const fromRawTensor = (q: RawQuantizedTensor): QuantizedTensor => ({
    ...q,
    shape: Array.from(q.shape),
    scheme: fromRawScheme(q.scheme),
  });

  return {
    defaultScheme,
    quantize: (values, shape, scheme) =>
      fromRawTensor(
        raw.quantize(
          checkedValues(values),
          checkedDims(shape),
          toRawScheme(scheme),
        ),
      ),
    dequantize: (quantized) => raw.dequantize(toRawTensor(quantized)),
    errorStats: (reference, approx) =>
      raw.errorStats(
        checkedValues(reference, "reference"),
        checkedValues(approx, "approx"),
      ),
    storageBits: (quantized) => raw.storageBits(toRawTensor(quantized)),
    bitsPerWeight: (quantized) =>
      raw.storageBits(toRawTensor(quantized)).bitsPerWeight,
    roundTrip: (values, shape, scheme) => {
      const result = raw.roundTrip(
        checkedValues(values),
        checkedDims(shape),
        toRawScheme(scheme),
      );
      return { ...result, quantized: fromRawTensor(result.quantized) };
    },
    paramIndices: (quantized) => raw.paramIndices(toRawTensor(quantized)),
    intRange: (bits, symmetric) => {
      requireInteger("bits", bits);
      return raw.intRange(bits, symmetric);
    },
    validateScheme: (scheme, shape) =>
      raw.validateScheme(toRawScheme(scheme), checkedDims(shape)),
    schemeName: (scheme) => raw.schemeName(toRawScheme(scheme)),
  };
}

// `{ axis: undefined }` means "use the default", as if the key were absent.
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

function requireInteger(name: string, value: unknown): void {
  if (!Number.isInteger(value))
    throw invalidArgument(`${name} must be an integer (got ${String(value)})`);
}

function requireCount(name: string, value: unknown): void {
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw invalidArgument(
      `${name} must be a non-negative integer (got ${String(value)})`,
    );
  }
}

function checkedDims(shape: Shape): readonly number[] {
  if (!Array.isArray(shape) && !ArrayBuffer.isView(shape)) {
    throw invalidArgument(
      `shape must be an array of dims (got ${String(shape)})`,
    );
  }
  Array.from(shape).forEach((dim, i) => requireCount(`shape[${i}]`, dim));
  return shape;
}

function checkedValues(values: FloatInput, name = "values"): FloatInput {
  if (!(values instanceof Float32Array) && !Array.isArray(values)) {
    throw invalidArgument(
      `${name} must be a Float32Array or an array of numbers`,
    );
  }
  return values;
}
