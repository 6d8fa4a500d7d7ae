// Leaks across many load → evaluate → dispose cycles: the engine's wasm memory does not grow,
// no handle stays live, and the JS heap (after collection) stays flat. Run in this thread so
// the collector sees both sides.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { createQuantLab } from "../../web/lib/src/index";
import { mnistSplit, readRepoFile as read } from "./fixtures";

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

const CYCLES = 1000;

function jsHeapBytes(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

describe("memory", () => {
  it(`does not grow over ${CYCLES} load → evaluate → dispose cycles`, async () => {
    const lab = createQuantLab({ worker: false });
    const files = {
      manifest: read("models/mnist-mlp/manifest.json"),
      weights: read("models/mnist-mlp/model.safetensors"),
    };
    const test = await mnistSplit("test");
    const slice = {
      images: test.images.subarray(0, 100 * 784),
      labels: test.labels.subarray(0, 100),
    };
    const cycle = async () => {
      const model = await lab.loadModel(files);
      await lab.evaluate(model, slice);
      await lab.dispose(model);
    };
    for (let i = 0; i < 20; i++) await cycle(); // let the heap reach its working size
    const before = { ...(await lab.memoryUsage()), js: jsHeapBytes() };
    for (let i = 0; i < CYCLES; i++) await cycle();
    const after = { ...(await lab.memoryUsage()), js: jsHeapBytes() };
    await lab.dispose();

    expect(after.handles).toBe(0);
    // One leaked model per cycle would be ~1 GB here.
    expect(after.wasmBytes).toBe(before.wasmBytes);
    // Well below one model's weights (0.94 MB) per 100 cycles.
    expect(after.js - before.js).toBeLessThan(4 * 1024 * 1024);
  }, 120_000);
});
