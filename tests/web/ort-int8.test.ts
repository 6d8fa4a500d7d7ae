// ONNX Runtime Web's int8 graph of our int8 model (web/app/src/bench/qdq-model.ts: QDQ built
// from our calibrated input scales and int8 weight codes), which the benchmark's end-to-end rows
// time against ours: it must compute what our integer executor computes. Never how fast.
//
// Tolerance: INT8_LOGIT_TOLERANCE (web/app/src/bench/logit-agreement.ts says why), which the
// bench page's rows are held to as well (tests/e2e/bench.spec.ts).
import * as ort from "onnxruntime-web";
import { afterAll, describe, expect, it } from "vitest";
import { createQuantLab } from "../../web/lib/src/index.node";
import { configureOrt } from "../../web/app/src/bench/ort-backend";
import { qdqModel } from "../../web/app/src/bench/qdq-model";
import { readSafetensors } from "../../web/app/src/bench/safetensors";
import { INT8_LOGIT_TOLERANCE } from "../../web/app/src/bench/logit-agreement";
import { modelBatch } from "../../web/app/src/bench/model-batch";
import { ortInt8Session } from "../../web/app/src/bench/ort-int8";
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
    expect(ortInt8.difference).toBeLessThan(INT8_LOGIT_TOLERANCE.difference);
    expect(ortInt8.agreement).toBeGreaterThanOrEqual(
      INT8_LOGIT_TOLERANCE.agreement,
    );
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
