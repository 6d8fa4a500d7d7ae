// The engine in a module Worker: every Engine function as a promise, off the main thread.
import { createWorkerClient, type WorkerClient } from "./client";
import type { EngineWorkerMethods } from "./engine-methods";

export type EngineWorker = WorkerClient<EngineWorkerMethods>;

export function createEngineWorker(): EngineWorker {
  // Written literally as `new Worker(new URL(...), { type: 'module' })` so Vite bundles the worker.
  return createWorkerClient<EngineWorkerMethods>(
    () =>
      new Worker(new URL("./engine-worker.ts", import.meta.url), {
        type: "module",
      }),
  );
}
