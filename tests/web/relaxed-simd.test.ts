// Relaxed SIMD: Vitest starts Node with --experimental-wasm-relaxed-simd (web/vitest.config.ts),
// and this file runs all WebAssembly on V8's optimizing compiler (--no-liftoff, set below before
// any module is compiled; each test file has a process of its own), because Node 20's baseline
// compiler gets the fused relaxed dot wrong and the engine's probe then refuses the kernels
// (tested last). So the library installs quantlab-relaxed.wasm by default; `relaxedSimd: false`
// keeps the SIMD128 kernels. Both must give the same logits bit for bit
// (docs/quantization.md §10.1), in a worker and in this thread, for INT8 (static and dynamic)
// and W4A8 models, whose layers run the relaxed GEMMs on batches and the GEMV on single images.
// The threaded build installs them too (each pool thread links them into its own function
// table): its kernels at 2 threads are checked against the scalar reference on shapes whose rows
// the pool splits.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { afterEach, describe, expect, it } from "vitest";
import {
  createQuantLab,
  loadRawModule,
  type PlanPreset,
  type QuantLab,
} from "../../web/lib/dist/index.node.js";
import type { RawBenchKernels } from "../../web/lib/src/engine-module";
import type { BenchModule } from "../../web/app/src/bench/bench-module";
import { prepareWeights } from "../../web/app/src/bench/our-kernels";
import { mnistSplit, readRepoFile as read } from "./fixtures";

setFlagsFromString("--no-liftoff");

const labs: QuantLab[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((lab) => lab.dispose()));
});

async function quantizedLogits(
  lab: QuantLab,
  plan: PlanPreset,
  count: number,
  batchSize = 64,
) {
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
  return (await lab.logits(quantized, images, { batchSize })).logits;
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

describe("the threaded build at 2 threads", () => {
  it("links the relaxed kernels on every thread, and gives SIMD128's logits", async () => {
    const relaxed = createQuantLab({ worker: false, threads: 2 });
    const simd128 = createQuantLab({
      worker: false,
      threads: 2,
      relaxedSimd: false,
    });
    labs.push(relaxed, simd128);
    expect((await relaxed.info()).build).toBe("threads");
    expect(await relaxed.simdKernels()).toBe("relaxed-simd");
    expect(await simd128.simdKernels()).toBe("simd128");
    for (const plan of ["int8", "w4a8"] as const) {
      // 256 images in one batch: rows the pool splits between the two threads.
      const [a, b] = [
        await quantizedLogits(relaxed, plan, 256, 256),
        await quantizedLogits(simd128, plan, 256, 256),
      ];
      expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    }
  });

  it("runs relaxed kernels that match the scalar reference on split rows and edge shapes", async () => {
    const engine = (await loadRawModule({
      threads: 2,
    })) as unknown as BenchModule;
    expect(engine.threadCount()).toBe(2);
    expect(engine.simdKernels()).toBe("relaxed-simd");
    // [m, n, k]: ≥ 4 rows and ≥ 2²² multiply-adds, so the rows are split across the threads,
    // with odd rows, columns off the 16-wide panels, k off the 8-k blocks and 32-k groups; a
    // small GEMV (one row, on the calling thread); a GEMV and a 3-row GEMM of ≥ 2²³
    // multiply-adds, whose 16-column panels are split across the threads.
    for (const [m, n, k] of [
      [67, 41, 1601],
      [4, 1030, 1024],
      [1, 75, 999],
      [1, 1030, 8191],
      [3, 333, 8399],
    ] as const) {
      const weights = Float32Array.from({ length: n * k }, (_, i) =>
        Math.sin(0.37 * i),
      );
      const input = Float32Array.from(
        { length: m * k },
        (_, i) => 3 * Math.cos(0.11 * i),
      );
      for (const kind of ["qd8", "w4a8"] as const) {
        const { quantized } = prepareWeights(
          engine,
          { op: "gemm", name: `${m}×${n}×${k}`, m, n, k },
          kind,
          weights,
        );
        const run = (kernels: RawBenchKernels) => {
          const call =
            kind === "qd8"
              ? engine.benchMatmulQC8W!(m, quantized!, input, kernels)
              : engine.benchMatmulQC4W!(m, quantized!, input, true, kernels);
          call.run(1);
          const out = call.output().slice();
          call.delete();
          return out;
        };
        const [ref, simd128, fast] = [
          run("ref"),
          run("simd128"),
          run("relaxed"),
        ];
        // The integer sums are exact; the float steps are SIMD128's (same order), whose
        // rounding may differ from the reference's by a few ulps of the largest output.
        const largest = Math.max(...ref.map(Math.abs));
        ref.forEach((value, i) =>
          expect(Math.abs(fast[i]! - value)).toBeLessThanOrEqual(
            1e-5 * largest,
          ),
        );
        expect(
          Buffer.from(fast.buffer).equals(Buffer.from(simd128.buffer)),
        ).toBe(true);
        // The same bits on one thread, where nothing is split.
        engine.setThreadCount(1);
        const single = run("relaxed");
        engine.setThreadCount(2);
        expect(
          Buffer.from(single.buffer).equals(Buffer.from(fast.buffer)),
        ).toBe(true);
      }
    }
  });
});

// [threads, Node's flags]: without relaxed SIMD, and with it on the baseline compiler alone,
// which miscompiles the fused dot in Node 20 (the probe must catch it).
it.each([
  [1, []],
  [2, []],
  [1, ["--experimental-wasm-relaxed-simd", "--liftoff", "--no-wasm-tier-up"]],
  [2, ["--experimental-wasm-relaxed-simd", "--liftoff", "--no-wasm-tier-up"]],
] as const)(
  "falls back to SIMD128 at %i thread(s) where the JavaScript engine rejects relaxed SIMD or gets it wrong (Node flags %j)",
  (threads, flags) => {
    // A file, not `node -e`: Emscripten's pthread Workers would inherit `-e`'s options.
    const dir = mkdtempSync(join(tmpdir(), "quantlab-relaxed-"));
    const script = join(dir, "fallback.mjs");
    const library = new URL(
      "../../web/lib/dist/index.node.js",
      import.meta.url,
    );
    writeFileSync(
      script,
      `import { createQuantLab } from ${JSON.stringify(library.href)};
      const lab = createQuantLab({ worker: false, threads: ${threads} });
      console.log((await lab.info()).build, await lab.simdKernels());
      await lab.dispose();`,
    );
    const child = spawnSync(process.execPath, [...flags, script], {
      encoding: "utf8",
    });
    rmSync(dir, { recursive: true });
    expect(child.stderr).toBe("");
    expect(child.stdout.trim()).toBe(
      `${threads === 1 ? "single" : "threads"} simd128`,
    );
  },
);
