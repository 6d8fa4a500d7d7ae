// Type of the Emscripten-generated loader (web/lib/wasm/quantlab-engine.mjs, a build output).
declare module "*/wasm/quantlab-engine.mjs" {
  const createQuantLabEngine: import("./raw-module").RawModuleFactory;
  export default createQuantLabEngine;
}
