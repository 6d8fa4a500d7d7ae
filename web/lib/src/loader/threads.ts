// How many threads the engine gets, and whether this context can have more than one: the
// threaded build shares one WebAssembly.Memory between Workers, which needs SharedArrayBuffer;
// browsers grant it only to cross-origin isolated pages (COOP/COEP headers). Node grants it
// always; its entry points register how to count cores and start pthread Workers there.
import { invalidArgument } from "../errors.js";

/** What the engine runs with; `lab.info()` reports it. */
export interface ThreadsInfo {
  /** Threads the kernels split work across (1: the single-threaded build). */
  threads: number;
  /** The engine build loaded: "threads" (Emscripten pthreads) or "single". */
  build: "threads" | "single";
  /** Why this many, in a sentence (e.g. why threads are unavailable on this page). */
  note: string;
}

/** What only Node supplies (platform/node-threads.ts registers it). */
export interface NodeThreadsHooks {
  /** os.availableParallelism(). */
  cores(): number;
  /** Makes `Worker` a global that Emscripten's pthreads can start (a worker_threads adapter). */
  installPthreadWorkers(): void;
}

let nodeHooks: NodeThreadsHooks | undefined;

export function registerNodeThreads(hooks: NodeThreadsHooks): void {
  nodeHooks = hooks;
}

/** Node's hooks, when this is Node (the pthread Workers need them). */
export function nodeThreads(): NodeThreadsHooks | undefined {
  return nodeHooks;
}

/** The cores this context may use: navigator.hardwareConcurrency, os.availableParallelism(). */
export function availableCores(): number {
  if (nodeHooks !== undefined) return nodeHooks.cores();
  const navigator = (
    globalThis as { navigator?: { hardwareConcurrency?: number } }
  ).navigator;
  return Math.max(1, navigator?.hardwareConcurrency ?? 1);
}

/** Why this context cannot share wasm memory between threads, or undefined if it can. */
export function threadsUnavailable(): string | undefined {
  // Browsers say why first: a page that is not isolated has no SharedArrayBuffer at all.
  const isolated = (globalThis as { crossOriginIsolated?: boolean })
    .crossOriginIsolated;
  if (isolated === false)
    return "this page is not cross-origin isolated, so the browser withholds SharedArrayBuffer (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)";
  if (typeof SharedArrayBuffer !== "function")
    return "this JavaScript context has no SharedArrayBuffer";
  return undefined;
}

/** The thread count to load the engine with, and the note explaining it. */
export function chooseThreads(requested: number | undefined): ThreadsInfo {
  if (
    requested !== undefined &&
    (!Number.isInteger(requested) || requested < 1 || requested > 256)
  )
    throw invalidArgument(
      `threads must be a whole number from 1 to 256 (got ${requested})`,
    );
  const wanted = requested ?? availableCores();
  if (wanted === 1) {
    const why =
      requested === 1 ? "as asked (threads: 1)" : "one core is available";
    return { threads: 1, build: "single", note: `1 thread, ${why}` };
  }
  const unavailable = threadsUnavailable();
  if (unavailable !== undefined)
    return {
      threads: 1,
      build: "single",
      note: `1 thread instead of ${wanted}: ${unavailable}`,
    };
  const source = requested === undefined ? "the cores available" : "as asked";
  return {
    threads: wanted,
    build: "threads",
    note: `${wanted} threads, ${source}`,
  };
}
