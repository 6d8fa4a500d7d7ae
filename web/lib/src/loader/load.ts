// Instantiates the engine's Emscripten module. Emscripten's own loader would fetch the .wasm
// itself (and fails on file paths in Node: DESIGN.md, toolchain facts); its instantiateWasm
// hook hands that job to wasm-source.ts instead, which knows every place the bytes can be.
import createQuantLabEngine from "../../wasm/quantlab-engine.mjs";
import type { RawEngineModule } from "../engine-module.js";
import { toQuantLabError } from "../errors.js";
import { instantiateWasm, type WasmSource } from "./wasm-source.js";

/** How the engine's WebAssembly is found and loaded. */
export interface EngineLoadOptions {
  /** Where the `.wasm` is (see WasmSource). Default: the file shipped beside the library. */
  wasm?: WasmSource;
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
      instantiateWasm(imports, receive) {
        instantiateWasm(source, imports).then(
          (instance) => receive(instance),
          (error: unknown) => reject(toQuantLabError(error)),
        );
        return {}; // Emscripten: instantiation continues asynchronously
      },
    }).then(resolve, (error: unknown) => reject(toQuantLabError(error)));
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
