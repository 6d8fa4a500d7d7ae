// The tarball itself: what it holds and what it weighs.
import { statSync } from "node:fs";
import { describe, expect, inject, it } from "vitest";
import { repoRoot, run } from "./project";

// 8.2 MB today, of which 7.9 MB are the shipped models (3.5 MB) and test splits (4.7 MB) the
// CLI's defaults need; the library and engine are 0.3 MB. The budget leaves 3% for growth.
const BUDGET_BYTES = 8_500_000;

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
      "models/mnist-cnn/model.safetensors",
      "web/app/public/data/mnist/test-images-idx3-ubyte.gz",
    ])
      expect(files).toContain(needed);
    const unexpected = files.filter(
      (path) =>
        !/^(LICENSE|README\.md|package\.json)$/.test(path) &&
        !path.startsWith("web/lib/dist/") &&
        !path.startsWith("web/lib/wasm/quantlab-engine.") &&
        !/^models\/[^/]+\/(manifest\.json|model\.safetensors)$/.test(path) &&
        !/^web\/app\/public\/data\/[^/]+\/test-[^/]+\.gz$/.test(path),
    );
    expect(unexpected).toEqual([]);
  });
});
