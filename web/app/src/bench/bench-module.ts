// The part of the engine's Embind module the benchmark uses, by the names the bench code
// knows it by. The typing itself is the library's one (quantlab's RawEngineModule), which a
// test checks against the built module's exports.
import type {
  RawBenchCall,
  RawBenchModule,
  RawEnumValue,
  RawKernelsModule,
  RawQuantModule,
  RawQuantizedTensor as LibraryQuantizedTensor,
  RawScheme,
  RawStreamReadProbe,
  RawThreadsModule,
} from "quantlab";

export type StreamReadProbe = RawStreamReadProbe;
export type BenchCall = RawBenchCall;
export type RawEnum = RawEnumValue;
export type RawQuantScheme = RawScheme;
export type RawQuantizedTensor = LibraryQuantizedTensor;

/**
 * The bench bindings plus the quant layer's quantize, so ONNX Runtime gets the same weights,
 * the thread count, so one run times our kernels at 1 thread and at all, and which SIMD kernels
 * the engine runs.
 */
export type BenchModule = RawBenchModule &
  RawThreadsModule &
  Pick<RawQuantModule, "Granularity" | "quantize" | "dequantize"> &
  Pick<RawKernelsModule, "simdKernels">;
