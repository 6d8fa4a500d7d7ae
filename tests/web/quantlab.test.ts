// createQuantLab in Node as a user gets it: the built library (web/lib/dist, as the package
// exports it) with its engine in a worker_threads Worker, and the same API in this thread.
// Cancellation stops training between batches and keeps the worker and its handles; a worker
// that dies gives WorkerDied and is replaced; general inference agrees with classification.
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import {
  createQuantLab,
  QuantLabError,
  type QuantLab,
  type TrainProgress,
} from "../../web/lib/dist/index.node.js";
import { adaptNodeWorker } from "../../web/lib/dist/platform/node.js";
import { mnistSplit, readRepoFile as read } from "./fixtures";

const files = (name: string) => ({
  manifest: read(`models/${name}/manifest.json`),
  weights: read(`models/${name}/model.safetensors`),
});

const labs: QuantLab[] = [];
const newLab = (options?: Parameters<typeof createQuantLab>[0]) => {
  const lab = createQuantLab(options);
  labs.push(lab);
  return lab;
};
afterEach(async () => {
  await Promise.all(labs.splice(0).map((lab) => lab.dispose()));
});

describe.each([
  ["a worker_threads Worker", true],
  ["this thread", false],
])("createQuantLab with the engine in %s", (_, worker) => {
  it("reproduces a shipped model's recorded accuracy", async () => {
    const lab = newLab({ worker });
    const model = await lab.loadModel(files("mnist-cnn"));
    const test = await mnistSplit("test");
    const { correct, count } = await lab.evaluate(model, test);
    expect({ correct, count }).toEqual({
      correct: model.manifest.metrics.test_correct,
      count: model.manifest.metrics.test_count,
    });
  });

  it("runs any input tensor, agreeing with classify", async () => {
    const lab = newLab({ worker });
    const model = await lab.loadModel(files("mnist-cnn"));
    const test = await mnistSplit("test");
    const n = 16;
    const images = test.images.subarray(0, n * 784);
    const { pixel_scale, mean, std } = model.manifest.input;
    const input = Float32Array.from(
      images,
      (p) => (p * pixel_scale - mean) / std,
    );
    const { output, shape } = await lab.run(model, input, [n, 1, 28, 28]);
    expect(shape).toEqual([n, 10]);
    const argmax = Array.from({ length: n }, (_, row) => {
      const scores = Array.from(output.subarray(row * 10, row * 10 + 10));
      return scores.indexOf(Math.max(...scores));
    });
    expect(argmax).toEqual(Array.from(await lab.classify(model, images)));
    await expect(lab.run(model, input, [n, 784])).rejects.toMatchObject({
      code: "InvalidArgument",
    });
  });

  it("stops training at the batch after an abort and keeps the model usable", async () => {
    const lab = newLab({ worker });
    const model = await lab.loadModel(files("mnist-mlp"));
    const train = await mnistSplit("train");
    const controller = new AbortController();
    const seen: TrainProgress[] = [];
    const run = lab.train(model, train, {
      epochs: 3,
      signal: controller.signal,
      onProgress: ({ detail }) => {
        seen.push(detail!);
        if (seen.length === 2) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: "Aborted" });
    // The rejection is immediate; the engine stops at its next batch (shared abort flag).
    const test = await mnistSplit("test");
    expect((await lab.evaluate(model, test)).accuracy).toBeCloseTo(0.9625, 4);
    expect(seen.length).toBeLessThan(10);
    expect(seen.at(-1)!.batches * 3).toBeGreaterThan(300);
  });

  it("rejects work beyond maximumMemory with OutOfMemory and keeps working", async () => {
    const lab = newLab({ worker, maximumMemory: 64 * 2 ** 20 });
    const model = await lab.loadModel(files("mnist-mlp"));
    // 30,000 images: 24 MB of pixels, 94 MB as network input.
    await expect(
      lab.classify(model, new Uint8Array(30_000 * 784)),
    ).rejects.toMatchObject({
      code: "OutOfMemory",
      message: expect.stringContaining("std::bad_alloc"),
    });
    expect(await lab.classify(model, new Uint8Array(784))).toHaveLength(1);
    expect((await lab.memoryUsage()).wasmBytes).toBeLessThanOrEqual(
      64 * 2 ** 20,
    );
  });

  it("rejects every call once disposed", async () => {
    const lab = newLab({ worker });
    await lab.dispose();
    await expect(lab.schemeName({ bits: 8 })).rejects.toMatchObject({
      code: "Disposed",
    });
  });
});

describe("the wasm option with a worker", () => {
  it("reaches the worker as a URL object", async () => {
    const wasm = new URL(
      "../../web/lib/wasm/quantlab-engine.wasm",
      import.meta.url,
    );
    await expect(newLab({ wasm }).schemeName({ bits: 8 })).resolves.toMatch(
      /INT8/,
    );
  });
});

describe("a worker that dies", () => {
  it("gives WorkerDied, and the next call starts a new worker", async () => {
    let starts = 0;
    const lab = newLab({
      worker: () => {
        starts++;
        // The first worker dies at once; later ones are real engine workers.
        return adaptNodeWorker(
          starts === 1
            ? new Worker("process.exit(3)", { eval: true })
            : new Worker(
                new URL("../../web/lib/dist/worker.node.js", import.meta.url),
              ),
        );
      },
    });
    const error = await lab.schemeName({ bits: 8 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuantLabError);
    expect(error).toMatchObject({
      code: "WorkerDied",
      message: expect.stringContaining("exited with code 3"),
    });
    await expect(lab.schemeName({ bits: 8 })).resolves.toMatch(/INT8/);
    expect(starts).toBe(2);
  });
});
