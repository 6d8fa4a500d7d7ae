// Node's part of the threaded engine: the core count, and a `Worker` global for Emscripten's
// pthreads. The threaded module is built for web and worker environments (the library gives it
// its wasm and memory), so it starts each pthread with `new Worker(url)` and talks to it through
// onmessage/postMessage; here that is a worker_threads Worker running PTHREAD_BOOTSTRAP.
import { availableParallelism } from "node:os";
import { Worker as NodeWorker } from "node:worker_threads";
import { registerNodeThreads } from "../loader/threads.js";

// A pthread's thread: gives Emscripten's worker script (a classic web Worker script, its URL in
// workerData) the globals it expects of a web Worker, then runs it in this thread's global
// scope by indirect eval: the script loads the engine with import(), which node:vm scripts may
// not use without --experimental-vm-modules. Inline source (eval: true) rather than a file, so
// the same code runs from the TypeScript sources (tests) and from the built library.
const PTHREAD_BOOTSTRAP = `
const { parentPort, workerData } = require("node:worker_threads");
const { readFileSync } = require("node:fs");
const { fileURLToPath } = require("node:url");
const script = String(workerData);
globalThis.self = globalThis;
globalThis.location = { href: script };
globalThis.postMessage = (message, transfer) => parentPort.postMessage(message, transfer);
parentPort.on("message", (data) => globalThis.onmessage?.({ data }));
const path = script.startsWith("file:") ? fileURLToPath(script) : script;
(0, eval)(readFileSync(path, "utf8"));
`;

/** A web-Worker-shaped worker_threads Worker, as Emscripten's pthread code uses one. */
class PthreadWorker {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((error: unknown) => void) | null = null;
  readonly #worker: NodeWorker;

  constructor(script: string | URL) {
    this.#worker = new NodeWorker(PTHREAD_BOOTSTRAP, {
      eval: true,
      workerData: String(script),
    });
    this.#worker.on("message", (data: unknown) => {
      // Loaded, the thread only runs when the engine thread hands it work (and then waits for
      // it), so it must not keep the process alive; while loading, the engine's start awaits it.
      if ((data as { cmd?: unknown } | null)?.cmd === "loaded")
        this.#worker.unref();
      this.onmessage?.({ data });
    });
    this.#worker.on("error", (error) => this.onerror?.(error));
  }

  postMessage(message: unknown, transfer?: readonly Transferable[]): void {
    this.#worker.postMessage(message, transfer as never);
  }

  terminate(): void {
    void this.#worker.terminate();
  }
}

registerNodeThreads({
  cores: () => availableParallelism(),
  installPthreadWorkers() {
    const scope = globalThis as { Worker?: unknown };
    scope.Worker ??= PthreadWorker;
  },
});
