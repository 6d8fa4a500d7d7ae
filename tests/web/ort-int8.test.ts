// ONNX Runtime Web's int8 graph of our int8 model (web/app/src/bench/qdq-model.ts: QDQ built
// from our calibrated input scales and int8 weight codes), which the benchmark's end-to-end rows
// time against ours: it must compute what our integer executor computes. Never how fast.
//
// Tolerance: both quantize the same activations with the same scales and zero points, so they
// differ only where ONNX Runtime requantizes a layer's output in fixed point and rounds a code
// the other way (one step of that layer's scale) or quantizes the bias to int32 (half a step of
// s_x·s_w): measured 2.6e-3 of the largest logit over 256 images; 1e-2 leaves room, while a
// wrong scale, zero point or layout moves logits by tens of percent. Top-1 classes: the same
// on at least 99% of the images (measured 100%).
import * as ort from "onnxruntime-web";
import { afterAll, describe, expect, it } from "vitest";
import { createQuantLab } from "../../web/lib/src/index.node";
import { configureOrt } from "../../web/app/src/bench/ort-backend";
import { qdqModel } from "../../web/app/src/bench/qdq-model";
import { readSafetensors } from "../../web/app/src/bench/safetensors";
import { modelBatch } from "../../scripts/bench/model-batch";
import { ortInt8Session } from "../../scripts/bench/ort-int8";
import { datasetSplit, readRepoFile } from "./fixtures";

const lab = createQuantLab({ worker: false, threads: 1 });
afterAll(() => lab.dispose());

describe("ONNX Runtime's int8 QDQ graph of our int8 model", () => {
  it("gives our integer executor's logits on fashion-cnn", async () => {
    configureOrt(ort, 1);
    const model = await lab.loadModel({
      manifest: readRepoFile("models/fashion-cnn/manifest.json"),
      weights: readRepoFile("models/fashion-cnn/model.safetensors"),
    });
    const test = await datasetSplit("fashion-mnist", "test");
    const int8 = await lab.quantizeModel(
      model,
      await datasetSplit("fashion-mnist", "calibration"),
      { plan: "int8", calibration: { samples: 256 } },
    );
    const ortInt8 = await ortInt8Session(
      ort,
      lab,
      int8,
      modelBatch(test, model.manifest, 256),
    );
    await ortInt8.session.release();
    expect(ortInt8.difference).toBeLessThan(1e-2);
    expect(ortInt8.agreement).toBeGreaterThanOrEqual(0.99);
  }, 120_000);

  it("names the layer a plan without static int8 activations leaves out", async () => {
    const saved = await lab.saveModel(
      await lab.quantizeModel(
        await lab.loadModel({
          manifest: readRepoFile("models/fashion-mlp/manifest.json"),
          weights: readRepoFile("models/fashion-mlp/model.safetensors"),
        }),
        await datasetSplit("fashion-mnist", "calibration"),
        { plan: "w4a8", calibration: { samples: 64 } },
      ),
    );
    expect(() =>
      qdqModel(JSON.parse(saved.manifestJson), readSafetensors(saved.weights)),
    ).toThrow(/layer \w+: only int8 weights with static int8 activations/);
  }, 120_000);
});
