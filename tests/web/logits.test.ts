// lab.logits: each image's output on the FP32 kernels and on a quantized model's integer
// kernels, in batches with progress; its argmax is what classify says, and abort stops it.
import { afterEach, describe, expect, it } from "vitest";
import {
  createQuantLab,
  QuantLabError,
  type QuantLab,
} from "../../web/lib/dist/index.node.js";
import { mnistSplit, readRepoFile as read } from "./fixtures";

const labs: QuantLab[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((lab) => lab.dispose()));
});

const argmaxRows = (logits: Float32Array, classes: number) =>
  Int32Array.from({ length: logits.length / classes }, (_, i) => {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if (logits[i * classes + c]! > logits[i * classes + best]!) best = c;
    return best;
  });

describe.each([
  ["a worker_threads Worker", true],
  ["this thread", false],
])("logits with the engine in %s", (_, worker) => {
  it("agree with classify for FP32 and a quantized model, with progress per batch", async () => {
    const lab = createQuantLab({ worker });
    labs.push(lab);
    const model = await lab.loadModel({
      manifest: read("models/mnist-cnn/manifest.json"),
      weights: read("models/mnist-cnn/model.safetensors"),
    });
    const test = await mnistSplit("test");
    const images = {
      images: test.images.subarray(0, 300 * 784),
      rows: 28,
      cols: 28,
    };
    const int4 = await lab.quantizeModel(
      model,
      await mnistSplit("calibration"),
      {
        plan: "int4-g32",
      },
    );
    for (const handle of [model, int4]) {
      const progress: number[] = [];
      const r = await lab.logits(handle, images, {
        batchSize: 128,
        onProgress: ({ done }) => progress.push(done),
      });
      expect(r.count).toBe(300);
      expect(r.classes).toBe(10);
      expect(r.logits.length).toBe(3000);
      expect(r.ms).toBeGreaterThan(0);
      expect(progress).toEqual([128, 256, 300]);
      expect(argmaxRows(r.logits, 10)).toEqual(
        await lab.classify(handle, images),
      );
    }
    const quantized = await lab.logits(int4, images);
    const fp32 = await lab.logits(model, images);
    expect(quantized.logits).not.toEqual(fp32.logits);
    await expect(
      lab.logits(model, images, { batchSize: 0 }),
    ).rejects.toBeInstanceOf(QuantLabError);
    await expect(
      lab.logits(model, images, { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: "Aborted" });
  });
});
