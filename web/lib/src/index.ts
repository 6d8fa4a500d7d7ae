// The quantlab package in browsers and bundlers (exports condition "default").
import {
  createQuantLabOn,
  type QuantLab,
  type QuantLabOptions,
} from "./api/quantlab.js";
import { browserPlatform } from "./platform/browser.js";

export * from "./public.js";

/**
 * A QuantLab instance. By default its engine runs in a module Worker (`worker: false`: in this
 * thread) and loads `quantlab-engine.wasm` from beside the library (`wasm`: elsewhere).
 */
export function createQuantLab(options: QuantLabOptions = {}): QuantLab {
  return createQuantLabOn(browserPlatform, options);
}
