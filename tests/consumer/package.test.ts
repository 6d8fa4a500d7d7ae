// The tarball itself: what it holds and what it weighs.
import { statSync } from "node:fs";
import { describe, expect, inject, it } from "vitest";
import { repoRoot, run } from "./project";

// 12.55 MB today, of which 11.9 MB are what the CLI's defaults need: the shipped image models
// (3.3 MB compressed), the language model brown-lm (3.0 MB: 820,736 FP32 weights compress
// little) with its test and calibration text (0.12 MB), the image test splits (4.7 MB) and the
// calibration slices `quantlab report` and `quantize` calibrate on (the first 1,024 training
// images: 0.6 MB); the library and the engine's two builds (one thread, and pthreads for
// several: docs/threads.md) are 0.65 MB (the relaxed-SIMD kernels module 16 KB of it). The budget leaves 3% for growth.
const BUDGET_BYTES = 13_000_000;

describe("the npm tarball", () => {
  it("stays within its size budget", () => {
    const size = statSync(inject("tarball")).size;
    expect(size).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it("holds the built library, its types, the engine, the CLI and LICENSE, and nothing of the sources", () => {
    const files = run("tar", ["-tzf", inject("tarball")], repoRoot)
      .trim()
      .split("\n")
      .map((path) => path.replace(/^package\//, ""));
    for (const needed of [
      "LICENSE",
      "README.md",
      "package.json",
      "web/lib/dist/index.js",
      "web/lib/dist/index.node.js",
      "web/lib/dist/index.d.ts",
      "web/lib/dist/worker.js",
      "web/lib/dist/worker.node.js",
      "web/lib/dist/cli.js",
      "web/lib/wasm/quantlab-engine.mjs",
      "web/lib/wasm/quantlab-engine.wasm",
      "web/lib/wasm/quantlab-relaxed.wasm",
      "web/lib/wasm/quantlab-relaxed-threads.wasm",
      "web/lib/wasm/quantlab-engine-threads.wasm",
      "web/lib/wasm/quantlab-engine-threads.worker.js",
      "models/mnist-cnn/model.safetensors",
      "web/app/public/data/mnist/test-images-idx3-ubyte.gz",
      "web/app/public/data/fashion-mnist/calibration-images-idx3-ubyte.gz",
    ])
      expect(files).toContain(needed);
    const unexpected = files.filter(
      (path) =>
        !/^(LICENSE|README\.md|package\.json)$/.test(path) &&
        !path.startsWith("web/lib/dist/") &&
        // The engine's two builds and the relaxed-SIMD kernels module.
        !path.startsWith("web/lib/wasm/quantlab-") &&
        !/^models\/[^/]+\/(manifest\.json|model\.safetensors)$/.test(path) &&
        !/^web\/app\/public\/data\/[^/]+\/(test|calibration)-[^/]+\.gz$/.test(
          path,
        ),
    );
    expect(unexpected).toEqual([]);
  });
});
