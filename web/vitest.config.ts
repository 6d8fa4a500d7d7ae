// Vitest for the TypeScript library: Node environment, against the real .wasm that
// scripts/build.sh writes to web/lib/wasm/.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { shippedWeightsAsBytePlanes } from "./app/byte-planes-plugin.ts";

export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  // App modules the tests import name the shipped weights' byte-plane form.
  plugins: [shippedWeightsAsBytePlanes()],
  test: {
    include: ["tests/web/**/*.test.ts"],
    environment: "node",
    // No test may depend on the machine's speed: these suites train, evaluate and start
    // Workers against the real engine, and a shared, loaded machine runs them several times
    // slower than an idle one (7.8 s against Vitest's 5 s default, once). Tests that need
    // longer still declare their own.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Node 20 runs relaxed SIMD only behind this V8 flag, so the library's relaxed-SIMD kernels
    // (and, in tests that turn them off, the SIMD128 fallback) are both tested here.
    pool: "forks",
    execArgv: ["--experimental-wasm-relaxed-simd"],
  },
});
