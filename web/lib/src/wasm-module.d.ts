// Type of the Emscripten-generated loader (web/lib/wasm/quantlab-engine.mjs, a build output).
declare module "*/wasm/quantlab-engine.mjs" {
  const createQuantLabEngine: import("./engine-module.js").RawModuleFactory;
  export default createQuantLabEngine;
}
