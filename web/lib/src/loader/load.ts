// Instantiates the engine's Emscripten module. Emscripten's own loader would fetch the .wasm
// itself (and fails on file paths in Node: DESIGN.md, toolchain facts); its instantiateWasm
// hook hands that job to wasm-source.ts instead, which knows every place the bytes can be.
// Two builds: quantlab-engine (one thread) and quantlab-engine-threads (Emscripten pthreads,
// loaded where threads.ts says memory can be shared); only the one chosen is fetched.
import type {
  RawEngineModule,
  RawModuleFactory,
  RawModuleOptions,
} from "../engine-module.js";
import { invalidArgument, toQuantLabError } from "../errors.js";
import { installRelaxedSimd, type RelaxedSimdSource } from "./relaxed-simd.js";
import { chooseThreads, nodeThreads, type ThreadsInfo } from "./threads.js";
import {
  instantiateWasm,
  THREADED_WASM_FILE_NAME,
  WASM_FILE_NAME,
  type WasmSource,
} from "./wasm-source.js";

/** How the engine's WebAssembly is found and loaded. */
export interface EngineLoadOptions {
  /**
   * Where the `.wasm` is (see WasmSource). Default: the file shipped beside the library. A
   * folder prefix serves both builds; a file, bytes or a module is the single-threaded build's
   * (`quantlab-engine.wasm`) unless `wasmThreads` names the threaded one too.
   */
  wasm?: WasmSource;
  /** Where the threaded build's `quantlab-engine-threads.wasm` is, when `wasm` names one file. */
  wasmThreads?: WasmSource;
  /**
   * Threads the engine's kernels split work across (GEMM rows, conv images); results are the
   * same bits at every count. Default: the cores available (navigator.hardwareConcurrency,
   * os.availableParallelism()). More than 1 needs SharedArrayBuffer: a page that is not
   * cross-origin isolated gets the single-threaded engine, and `info()` says why.
   */
  threads?: number;
  /**
   * The most memory the engine may grow to, in bytes (rounded up to 64 KiB pages, at least
   * 16 MiB). Work that needs more rejects with OutOfMemory and the engine stays usable.
   * Default: 4 GiB, the most a 32-bit WebAssembly memory can address.
   */
  maximumMemory?: number;
  /**
   * The relaxed-SIMD kernels (`quantlab-relaxed.wasm`, or `quantlab-relaxed-threads.wasm` for
   * the threaded build: INT8 and INT4 weights with `i32x4.relaxed_dot_i8x16_i7x16_add`), used
   * when this JavaScript engine accepts relaxed SIMD and computes a probe of it right (Chromium
   * by default; Node 20 with `--experimental-wasm-relaxed-simd --no-liftoff`: its baseline
   * compiler gets the instruction wrong), on every thread. Default `true`: the file beside the
   * engine's `.wasm`. `false`: the SIMD128 kernels only. Or where the file is (as for
   * `wasm`). Both give the same results: the integer sums are exact either way.
   */
  relaxedSimd?: boolean | RelaxedSimdSource;
}

const PAGE = 65536;
const INITIAL_PAGES = 256; // 16 MiB, the engine build's INITIAL_MEMORY
const MAXIMUM_PAGES = 65536; // 4 GiB, its MAXIMUM_MEMORY

function engineMemory(
  maximumMemory = MAXIMUM_PAGES * PAGE,
  shared = false,
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
  return new WebAssembly.Memory({
    initial: INITIAL_PAGES,
    maximum: pages,
    shared,
  });
}

// Written as `new URL(literal, import.meta.url)` so bundlers (Vite) emit each file as an asset
// and rewrite its URL; from src/ and from dist/ alike they reach web/lib/wasm/. The threaded
// module is imported from its URL (not bundled), because each pthread Worker imports it again
// from there.
const defaultWasmUrl = (): URL =>
  new URL("../../wasm/quantlab-engine.wasm", import.meta.url);
const threadedWasmUrl = (): URL =>
  new URL("../../wasm/quantlab-engine-threads.wasm", import.meta.url);
const threadedModuleUrl = (): URL =>
  new URL("../../wasm/quantlab-engine-threads.mjs", import.meta.url);
const pthreadWorkerUrl = (): URL =>
  new URL("../../wasm/quantlab-engine-threads.worker.js", import.meta.url);

// What the loader knows of each module it made: its threads and its memory (whose size a
// pthread may grow while Emscripten's HEAP views on this thread still show the old size).
const loaded = new WeakMap<
  RawEngineModule,
  { info: ThreadsInfo; memory: WebAssembly.Memory }
>();

/** Bytes of an engine module's memory now. */
export function engineMemoryBytes(engine: RawEngineModule): number {
  return loaded.get(engine)?.memory.buffer.byteLength ?? engine.HEAP8.length;
}

/** The threads an engine module was loaded with (ThreadsInfo), for `lab.info()`. */
export function engineThreads(engine: RawEngineModule): ThreadsInfo {
  return {
    ...(loaded.get(engine)?.info ?? {
      threads: 1,
      build: "single",
      note: "1 thread",
    }),
    threads: engine.threadCount(),
  };
}

function threadedSource(options: EngineLoadOptions): WasmSource | undefined {
  if (options.wasmThreads !== undefined) return options.wasmThreads;
  if (options.wasm === undefined) return threadedWasmUrl();
  const text = options.wasm instanceof URL ? options.wasm.href : options.wasm;
  return typeof text === "string" && text.endsWith("/") ? text : undefined;
}

function createModule(
  factory: RawModuleFactory,
  source: WasmSource,
  fileName: string,
  options: Omit<RawModuleOptions, "instantiateWasm">,
  info: ThreadsInfo,
): Promise<RawEngineModule> {
  return new Promise<RawEngineModule>((resolve, reject) => {
    factory({
      ...options,
      instantiateWasm(imports, receive) {
        instantiateWasm(source, imports, fileName).then(
          ({ instance, module }) => receive(instance, module),
          (error: unknown) => reject(toQuantLabError(error)),
        );
        return {}; // Emscripten: instantiation continues asynchronously
      },
    }).then(
      (engine) => {
        loaded.set(engine, { info, memory: options.wasmMemory });
        resolve(engine);
      },
      (error: unknown) => reject(toQuantLabError(error)),
    );
  });
}

// Emscripten warns when a thread it takes for a browser's main thread waits for its pthreads;
// it cannot tell Node's threads (which may block) from that, since the module is built for web
// and worker environments. The engine never runs on a browser's main thread (it is in a Worker
// there, where Emscripten does not warn), so this warning is dropped; every other one is shown.
function quietBlockingWarning(text: string): void {
  if (!text.startsWith("Blocking on the main thread is very dangerous"))
    console.error(text);
}

// Bundlers inline small assets as data: URLs (Vite: under 4 KiB, which the pthread Workers'
// script is). A Worker started from a data: URL has an opaque origin, so it could neither import
// the engine nor share its memory; a blob: URL made here has this page's origin.
async function workerScriptUrl(): Promise<string> {
  const url = pthreadWorkerUrl().href;
  if (!url.startsWith("data:")) return url;
  return URL.createObjectURL(await (await fetch(url)).blob());
}

async function threadedModule(
  options: EngineLoadOptions,
  source: WasmSource,
  info: ThreadsInfo,
): Promise<RawEngineModule> {
  nodeThreads()?.installPthreadWorkers();
  const moduleUrl = threadedModuleUrl().href;
  const workerUrl = await workerScriptUrl();
  const factory = (
    (await import(/* @vite-ignore */ moduleUrl)) as {
      default: RawModuleFactory;
    }
  ).default;
  const engine = await createModule(
    factory,
    source,
    THREADED_WASM_FILE_NAME,
    {
      wasmMemory: engineMemory(options.maximumMemory, true),
      pthreadPoolSize: info.threads - 1,
      mainScriptUrlOrBlob: moduleUrl,
      locateFile: () => workerUrl,
      printErr: quietBlockingWarning,
    },
    info,
  );
  engine.initThreads(info.threads);
  // Linked here into this thread's function table; each pool thread links its own copy before
  // its first relaxed kernel call (kernels/relaxed_kernels.cpp).
  await installRelaxedSimd(engine, options.relaxedSimd, options.wasm, true);
  return engine;
}

async function singleModule(
  options: EngineLoadOptions,
  info: ThreadsInfo,
): Promise<RawEngineModule> {
  const factory = (await import("../../wasm/quantlab-engine.mjs")).default;
  const engine = await createModule(
    factory,
    options.wasm ?? defaultWasmUrl(),
    WASM_FILE_NAME,
    { wasmMemory: engineMemory(options.maximumMemory) },
    info,
  );
  await installRelaxedSimd(engine, options.relaxedSimd, options.wasm, false);
  return engine;
}

/**
 * A new instance of the engine's Embind module (its own wasm memory): the threaded build when
 * more than one thread is wanted and allowed (threads.ts), else the single-threaded one.
 */
export async function instantiateEngineModule(
  options: EngineLoadOptions = {},
): Promise<RawEngineModule> {
  let info = chooseThreads(options.threads);
  const source = threadedSource(options);
  if (info.build === "threads" && source === undefined)
    info = {
      threads: 1,
      build: "single",
      note: `1 thread instead of ${info.threads}: the wasm option names one file; give wasmThreads for the threaded build`,
    };
  if (info.build === "single") return singleModule(options, info);
  try {
    return await threadedModule(options, source!, info);
  } catch (error) {
    // A copy of the library without the threaded files (a bundler that dropped them), or one
    // whose threaded files cannot be loaded here, runs on one thread and says why.
    return singleModule(options, {
      threads: 1,
      build: "single",
      note: `1 thread instead of ${info.threads}: the threaded engine could not be loaded (${toQuantLabError(error).message})`,
    });
  }
}

let shared: Promise<RawEngineModule> | undefined;

/**
 * The Embind module itself, one per thread, loaded on first use from the default location (the
 * first call's `threads` decides its build and pool):
 * for tools that call engine entry points outside the typed API (the benchmark's kernel calls
 * and roofline probes). Most code wants createQuantLab instead.
 */
export function loadRawModule(
  options: Pick<EngineLoadOptions, "threads"> = {},
): Promise<RawEngineModule> {
  shared ??= instantiateEngineModule(options).catch((error: unknown) => {
    shared = undefined; // let a later call retry, e.g. after a network error
    throw error;
  });
  return shared;
}
