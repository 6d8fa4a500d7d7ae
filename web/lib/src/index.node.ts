// The quantlab package in Node (exports condition "node"): the same API as index.ts, with the
// engine in a worker_threads Worker.
import {
  createQuantLabOn,
  type QuantLab,
  type QuantLabOptions,
} from "./api/quantlab.js";
import { nodePlatform } from "./platform/node.js";

export * from "./public.js";

/**
 * A QuantLab instance. By default its engine runs in a worker_threads Worker (`worker: false`:
 * in this thread) and reads `quantlab-engine.wasm` from beside the library (`wasm`: elsewhere).
 */
export function createQuantLab(options: QuantLabOptions = {}): QuantLab {
  return createQuantLabOn(nodePlatform, options);
}
