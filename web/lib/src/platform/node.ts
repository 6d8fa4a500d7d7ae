// Node: the engine runs in a worker_threads Worker (../worker.node.js), adapted to the
// WorkerLike shape the client expects. The worker is unref'd while idle, so an instance
// left open never keeps the process alive.
import { Worker } from "node:worker_threads";
import type { Platform } from "../api/quantlab.js";
import type { WorkerLike } from "../worker/client.js";

/** A worker_threads Worker as a WorkerLike. */
export function adaptNodeWorker(worker: Worker): WorkerLike {
  let terminated = false;
  const errorListeners: ((event: Event) => void)[] = [];
  const fail = (message: string) => {
    const event = Object.assign(new Event("error"), { message });
    for (const listener of errorListeners) listener(event);
  };
  worker.on("error", (error) => fail(String(error)));
  worker.on("exit", (code) => {
    if (!terminated) fail(`the engine worker exited with code ${code}`);
  });
  return {
    postMessage: (message, transfer) =>
      worker.postMessage(message, transfer as never),
    addEventListener(
      type: "message" | "error",
      listener: (event: never) => void,
    ) {
      if (type === "error")
        errorListeners.push(listener as (event: Event) => void);
      else
        worker.on("message", (data: unknown) =>
          (listener as (e: { data: unknown }) => void)({ data }),
        );
    },
    terminate() {
      terminated = true;
      void worker.terminate();
    },
    ref: () => worker.ref(),
    unref: () => worker.unref(),
  };
}

// A Worker inherits this process's Node options, and one started as `node --input-type=module
// -e ...` would fail with them ("--input-type can only be used with string input"): the worker
// runs a file. Then it starts with none; V8's flags (e.g. --experimental-wasm-relaxed-simd) are
// the process's and still apply, and Node rejects them in a Worker's own execArgv.
const workerOptions = (): { execArgv?: string[] } =>
  process.execArgv.some((option) => option.startsWith("--input-type"))
    ? { execArgv: [] }
    : {};

export const nodePlatform: Platform = {
  spawnWorker: () =>
    adaptNodeWorker(
      new Worker(
        new URL("../worker.node.js", import.meta.url),
        workerOptions(),
      ),
    ),
};
