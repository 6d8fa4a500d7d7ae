// Browsers and their workers: the engine runs in a module Worker built from ../worker.js.
import type { Platform } from "../api/quantlab.js";

export const browserPlatform: Platform = {
  // Written literally as `new Worker(new URL(...), { type: "module" })`: bundlers (Vite,
  // webpack 5) recognise this form, bundle the worker and rewrite its URL.
  spawnWorker: () =>
    new Worker(new URL("../worker.js", import.meta.url), { type: "module" }),
};
