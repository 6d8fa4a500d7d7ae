// Training through the library against the real engine: fine-tuning the shipped mnist-mlp on a
// slice of the MNIST train split reports progress, keeps its test accuracy, is reproducible
// from its seed, stops on AbortSignal, and rejects bad configurations with the engine's message.
import { beforeAll, describe, expect, it } from "vitest";
import {
  loadModel,
  type IdxDataset,
  type Model,
} from "../../web/lib/src/models/model";
import { trainModel, type TrainProgress } from "../../web/lib/src/models/train";
import { mnistSplit as mnist, readRepoFile as read } from "./fixtures";

const batchSize = 64;
const batches = 32;
let model: Model;
let test: IdxDataset;
let slice: { images: Uint8Array; labels: Uint8Array };

beforeAll(async () => {
  model = await loadModel({
    manifest: read("models/mnist-mlp/manifest.json"),
    weights: read("models/mnist-mlp/model.safetensors"),
  });
  test = await mnist("test");
  const train = await mnist("train");
  const count = batchSize * batches;
  slice = {
    images: train.images.subarray(0, count * 784),
    labels: train.labels.subarray(0, count),
  };
});

const fineTune = { optimizer: "sgd", learningRate: 0.005, batchSize } as const;

describe("trainModel", () => {
  it("fine-tunes mnist-mlp with progress and keeps its test accuracy", async () => {
    const events: TrainProgress[] = [];
    const result = await trainModel(model, slice, {
      ...fineTune,
      onProgress: (progress) => {
        events.push(progress);
      },
    });
    expect(events.map((e) => e.batch)).toEqual(
      Array.from({ length: batches }, (_, i) => i + 1),
    );
    for (const event of events) {
      expect(event).toMatchObject({ epoch: 1, epochs: 1, batches });
      expect(event.loss).toBeGreaterThan(0);
      expect(event.loss).toBeLessThan(1);
      expect(event.accuracy).toBeGreaterThan(0.8);
      expect(event.accuracy).toBeLessThanOrEqual(1);
      expect(event.learningRate).toBeCloseTo(0.005, 6);
    }
    expect(result).toMatchObject({ cancelled: false, epochsCompleted: 1 });
    expect(result.accuracy).toBe(events.at(-1)?.accuracy);

    const recorded = Number(model.manifest.metrics.test_accuracy);
    expect(model.evaluate(test.images, test.labels).accuracy).toBe(recorded);
    const tuned = result.model.evaluate(test.images, test.labels).accuracy;
    expect(tuned).toBeGreaterThanOrEqual(recorded - 0.02);
    expect(result.model.manifest.architecture).toEqual(
      model.manifest.architecture,
    );
    result.model.dispose();
  });

  it("gives identical weights for the same seed and different ones otherwise", async () => {
    const weights = async (seed: number) => {
      const { model: trained } = await trainModel(model, slice, {
        ...fineTune,
        seed,
      });
      const bytes = trained.files().weights;
      trained.dispose();
      return bytes;
    };
    const first = await weights(3);
    expect(await weights(3)).toEqual(first);
    expect(await weights(4)).not.toEqual(first);
    expect(first).not.toEqual(model.files().weights);
  });

  it("trains from the architecture when given initSeed", async () => {
    const { model: fresh } = await trainModel(model, slice, {
      batchSize,
      initSeed: 1,
    });
    const accuracy = fresh.evaluate(test.images, test.labels).accuracy;
    fresh.dispose();
    // 32 Adam steps from He initialisation: far above chance, below the shipped model.
    expect(accuracy).toBeGreaterThan(0.6);
    expect(accuracy).toBeLessThan(Number(model.manifest.metrics.test_accuracy));
  });

  it("rejects with an Aborted error at the batch after `aborted` says so", async () => {
    const controller = new AbortController();
    const events: TrainProgress[] = [];
    const run = trainModel(model, slice, {
      ...fineTune,
      aborted: () => controller.signal.aborted,
      onProgress: (progress) => {
        events.push(progress);
        if (events.length === 3) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: "Aborted" });
    expect(events.length).toBe(3);

    let called = false;
    await expect(
      trainModel(model, slice, {
        aborted: () => true,
        onProgress: () => {
          called = true;
        },
      }),
    ).rejects.toMatchObject({ code: "Aborted" });
    expect(called).toBe(false);
  });

  it("stops early and resolves when onProgress returns false", async () => {
    let calls = 0;
    const result = await trainModel(model, slice, {
      ...fineTune,
      onProgress: () => ++calls < 2,
    });
    expect(calls).toBe(2);
    expect(result).toMatchObject({ cancelled: true, epochsCompleted: 0 });
    result.model.dispose();
  });

  it("passes an onProgress exception through after stopping", async () => {
    await expect(
      trainModel(model, slice, {
        onProgress: () => {
          throw new Error("display failed");
        },
      }),
    ).rejects.toThrow("display failed");
  });

  it("rejects bad configurations with a clear InvalidArgument", async () => {
    const rejects = (
      options: Parameters<typeof trainModel>[2],
      message: string,
      data = slice,
    ) =>
      expect(trainModel(model, data, options)).rejects.toMatchObject({
        name: "InvalidArgument",
        message: expect.stringContaining(message),
      });
    await rejects({ batchSize: 0 }, "epochs and batch size must be at least 1");
    await rejects(
      { batchSize: 1.5 },
      "batchSize must be a non-negative integer",
    );
    await rejects({ learningRate: -0.1 }, "learning rate must be positive");
    await rejects(
      { optimizer: "rmsprop" as "sgd" },
      "unknown optimizer 'rmsprop' (expected sgd or adam)",
    );
    await rejects({}, "not a whole number of 784-pixel images", {
      images: slice.images.subarray(0, 783),
      labels: slice.labels.subarray(0, 1),
    });
    // 28×27 images: whole 784-pixel images, but not as many as the labels.
    await rejects(
      {},
      "example inputs have shape [27, 784] but 28 labels and model input [784] need [28, 784]",
      {
        images: slice.images.subarray(0, 27 * 28 * 28),
        labels: slice.labels.subarray(0, 28),
      },
    );
  });
});
