// Relaxed SIMD: Vitest starts Node with --experimental-wasm-relaxed-simd (web/vitest.config.ts),
// so the library installs quantlab-relaxed.wasm by default; `relaxedSimd: false` keeps the
// SIMD128 kernels. Both must give the same logits bit for bit (docs/quantization.md §10.1), in a
// worker and in this thread, for INT8 (static and dynamic) and W4A8 models, whose layers run the
// relaxed GEMMs on batches and the GEMV on single images. Only the single-threaded build installs
// them (each pthread has a function table of its own), so these labs ask for one thread.
import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import {
  createQuantLab,
  type PlanPreset,
  type QuantLab,
} from "../../web/lib/dist/index.node.js";
import { mnistSplit, readRepoFile as read } from "./fixtures";

const labs: QuantLab[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((lab) => lab.dispose()));
});

async function quantizedLogits(lab: QuantLab, plan: PlanPreset, count: number) {
  const model = await lab.loadModel({
    manifest: read("models/mnist-cnn/manifest.json"),
    weights: read("models/mnist-cnn/model.safetensors"),
  });
  const quantized = await lab.quantizeModel(
    model,
    await mnistSplit("calibration"),
    { plan },
  );
  const test = await mnistSplit("test");
  const images = {
    images: test.images.subarray(0, count * 784),
    rows: 28,
    cols: 28,
  };
  return (await lab.logits(quantized, images, { batchSize: 64 })).logits;
}

describe.each([
  ["a worker_threads Worker", true],
  ["this thread", false],
])("relaxed SIMD with the engine in %s", (_, worker) => {
  it("is used where the JavaScript engine accepts it, and gives SIMD128's logits", async () => {
    const relaxed = createQuantLab({ worker, threads: 1 });
    const simd128 = createQuantLab({ worker, threads: 1, relaxedSimd: false });
    labs.push(relaxed, simd128);
    expect(await relaxed.simdKernels()).toBe("relaxed-simd");
    expect(await simd128.simdKernels()).toBe("simd128");
    for (const plan of ["int8", "int8-dynamic", "w4a8"] as const) {
      // 129 images: two full batches of 64 and a batch of one.
      const [a, b] = await Promise.all([
        quantizedLogits(relaxed, plan, 129),
        quantizedLogits(simd128, plan, 129),
      ]);
      expect(a.length).toBe(1290);
      expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    }
  });
});

it("says which kernels ran in the report's machine line", async () => {
  const lab = createQuantLab({ worker: false, threads: 1 });
  labs.push(lab);
  const model = await lab.loadModel({
    manifest: read("models/mnist-mlp/manifest.json"),
    weights: read("models/mnist-mlp/model.safetensors"),
  });
  const report = await lab.report(
    model,
    await mnistSplit("test"),
    await mnistSplit("calibration"),
    { plans: ["int8"], speedRounds: 0 },
  );
  expect(report.machine).toBe("wasm relaxed-simd, one thread");
});

it("is not installed in the threaded build, which runs SIMD128 on every thread", async () => {
  const lab = createQuantLab({ worker: false, threads: 2 });
  labs.push(lab);
  expect((await lab.info()).build).toBe("threads");
  expect(await lab.simdKernels()).toBe("simd128");
});

it("falls back to SIMD128 where the JavaScript engine rejects relaxed SIMD (Node 20 without its flag)", () => {
  const script = `
    import { createQuantLab } from "./web/lib/dist/index.node.js";
    const lab = createQuantLab({ worker: false, threads: 1 });
    console.log(await lab.simdKernels());
    await lab.dispose();`;
  const child = spawnSync(
    process.execPath,
    ["--input-type=module", "-e", script],
    { encoding: "utf8" },
  );
  expect(child.stderr).toBe("");
  expect(child.stdout.trim()).toBe("simd128");
});
