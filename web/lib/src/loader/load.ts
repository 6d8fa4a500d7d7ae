// Instantiates the engine's Emscripten module. Emscripten's own loader would fetch the .wasm
// itself (and fails on file paths in Node: DESIGN.md, toolchain facts); its instantiateWasm
// hook hands that job to wasm-source.ts instead, which knows every place the bytes can be.
import createQuantLabEngine from "../../wasm/quantlab-engine.mjs";
import type { RawEngineModule } from "../engine-module.js";
import { invalidArgument, toQuantLabError } from "../errors.js";
import { installRelaxedSimd, type RelaxedSimdSource } from "./relaxed-simd.js";
import { instantiateWasm, type WasmSource } from "./wasm-source.js";

/** How the engine's WebAssembly is found and loaded. */
export interface EngineLoadOptions {
  /** Where the `.wasm` is (see WasmSource). Default: the file shipped beside the library. */
  wasm?: WasmSource;
  /**
   * The most memory the engine may grow to, in bytes (rounded up to 64 KiB pages, at least
   * 16 MiB). Work that needs more rejects with OutOfMemory and the engine stays usable.
   * Default: 4 GiB, the most a 32-bit WebAssembly memory can address.
   */
  maximumMemory?: number;
  /**
   * The relaxed-SIMD kernels (`quantlab-relaxed.wasm`: INT8 and INT4 weights with
   * `relaxed_dot_i8x16_i7x16`), used when this JavaScript engine accepts relaxed SIMD (Chromium
   * does by default, Node 20 with `--experimental-wasm-relaxed-simd`). Default `true`: the file
   * beside the engine's `.wasm`. `false`: the SIMD128 kernels only. Or where the file is (as for
   * `wasm`). Both give the same results: the integer sums are exact either way.
   */
  relaxedSimd?: boolean | RelaxedSimdSource;
}

const PAGE = 65536;
const INITIAL_PAGES = 256; // 16 MiB, the engine build's INITIAL_MEMORY
const MAXIMUM_PAGES = 65536; // 4 GiB, its MAXIMUM_MEMORY

function engineMemory(
  maximumMemory = MAXIMUM_PAGES * PAGE,
): WebAssembly.Memory {
  const pages = Math.ceil(maximumMemory / PAGE);
  if (
    !Number.isFinite(pages) ||
    pages < INITIAL_PAGES ||
    pages > MAXIMUM_PAGES
  ) {
    throw invalidArgument(
      `maximumMemory must be between 16 MiB and 4 GiB (got ${maximumMemory})`,
    );
  }
  return new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: pages });
}

// Written as `new URL(literal, import.meta.url)` so bundlers (Vite) emit the .wasm as an asset
// and rewrite this URL; from src/ and from dist/ alike it reaches web/lib/wasm/.
const defaultWasmUrl = (): URL =>
  new URL("../../wasm/quantlab-engine.wasm", import.meta.url);

/** A new instance of the engine's Embind module (its own wasm memory). */
export function instantiateEngineModule(
  options: EngineLoadOptions = {},
): Promise<RawEngineModule> {
  const source = options.wasm ?? defaultWasmUrl();
  return new Promise<RawEngineModule>((resolve, reject) => {
    createQuantLabEngine({
      wasmMemory: engineMemory(options.maximumMemory),
      instantiateWasm(imports, receive) {
        instantiateWasm(source, imports).then(
          (instance) => receive(instance),
          (error: unknown) => reject(toQuantLabError(error)),
        );
        return {}; // Emscripten: instantiation continues asynchronously
      },
    })
      .then(async (engine) => {
        await installRelaxedSimd(engine, options.relaxedSimd, options.wasm);
        return engine;
      })
      .then(resolve, (error: unknown) => reject(toQuantLabError(error)));
  });
}

let shared: Promise<RawEngineModule> | undefined;

/**
 * The Embind module itself, one per thread, loaded on first use from the default location:
 * for tools that call engine entry points outside the typed API (the benchmark's kernel calls
 * and roofline probes). Most code wants createQuantLab instead.
 */
export function loadRawModule(): Promise<RawEngineModule> {
  shared ??= instantiateEngineModule().catch((error: unknown) => {
    shared = undefined; // let a later call retry, e.g. after a network error
    throw error;
  });
  return shared;
}
