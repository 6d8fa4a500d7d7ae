// Runs a TypeScript entry of the benchmark in Node through Vite's module runner: TypeScript is
// transpiled on the fly, packages such as onnxruntime-web load from node_modules as usual, and
// every module keeps its own import.meta.url (the library finds the engine's .wasm by it).
// Usage: node scripts/bench/run.mjs <entry.ts> [args...]
import { runnerImport } from "vite";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const entry = process.argv[2];
if (!entry) {
  console.error("usage: node scripts/bench/run.mjs <entry.ts> [args...]");
  process.exit(2);
}
process.argv.splice(2, 1);
await runnerImport(resolve(root, entry), {
  configFile: false,
  root,
  logLevel: "warn",
});
