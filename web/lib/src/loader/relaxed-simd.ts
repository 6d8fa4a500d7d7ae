// The relaxed-SIMD kernels: a small second module (quantlab-relaxed.wasm, built by clang-19; for
// the threaded engine quantlab-relaxed-threads.wasm, which imports a shared memory) that the
// engine links into its own function table (and each pool thread into its own) when this
// JavaScript engine accepts relaxed SIMD and the module's probe computes right (the engine checks
// that: Node 20's baseline compiler gets the fused dot wrong); otherwise the engine keeps its
// SIMD128 kernels. Both give the same results (the integer sums are exact on every lowering:
// docs/quantization.md §10.1).
import type { RawEngineModule } from "../engine-module.js";
import { readWasmBytes, type WasmSource } from "./wasm-source.js";

/**
 * Where the relaxed-SIMD kernels module is: a URL, file path or bytes of the one for the engine
 * build that loads (`quantlab-relaxed.wasm`, or `quantlab-relaxed-threads.wasm` for the
 * threaded build), or a folder prefix holding both.
 */
export type RelaxedSimdSource = string | URL | ArrayBuffer | Uint8Array;

export const RELAXED_WASM_FILE_NAME = "quantlab-relaxed.wasm";
export const THREADED_RELAXED_WASM_FILE_NAME = "quantlab-relaxed-threads.wasm";

// (module (func (result v128) three splats → i32x4.relaxed_dot_i8x16_i7x16_add_s)): valid only
// where relaxed SIMD is on.
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 19, 1,
  17, 0, 65, 0, 253, 15, 65, 0, 253, 15, 65, 0, 253, 15, 253, 147, 2, 11,
]);

/** Whether this JavaScript engine runs relaxed-SIMD code. */
export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(RELAXED_SIMD_PROBE);
}

// As for the engine's .wasm: `new URL(literal, import.meta.url)`, which bundlers rewrite.
const defaultRelaxedUrl = (threaded: boolean): URL =>
  threaded
    ? new URL("../../wasm/quantlab-relaxed-threads.wasm", import.meta.url)
    : new URL("../../wasm/quantlab-relaxed.wasm", import.meta.url);

// A folder prefix given for the engine holds the relaxed module too.
function relaxedSource(
  given: boolean | RelaxedSimdSource | undefined,
  engineWasm: WasmSource | undefined,
  threaded: boolean,
): RelaxedSimdSource {
  if (given !== undefined && given !== true && given !== false) return given;
  if (typeof engineWasm === "string" && engineWasm.endsWith("/"))
    return engineWasm;
  return defaultRelaxedUrl(threaded);
}

/**
 * Installs the relaxed kernels into `engine` (the threaded build when `threaded`) when wanted
 * and supported. A module that cannot be read or linked leaves the SIMD128 kernels in place,
 * which `simdKernels()` then reports.
 */
export async function installRelaxedSimd(
  engine: RawEngineModule,
  given: boolean | RelaxedSimdSource | undefined,
  engineWasm: WasmSource | undefined,
  threaded: boolean,
): Promise<void> {
  if (given === false || !relaxedSimdSupported()) return;
  let bytes: Uint8Array;
  try {
    bytes = await readWasmBytes(
      relaxedSource(given, engineWasm, threaded),
      threaded ? THREADED_RELAXED_WASM_FILE_NAME : RELAXED_WASM_FILE_NAME,
    );
  } catch {
    return;
  }
  engine.installRelaxedSimd(bytes);
}
