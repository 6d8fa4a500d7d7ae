// Whole-model quantization through the library as a user gets it (the built package): quantize
// with a plan, evaluate on the integer kernels, save and load the quantized files, the report,
// and the errors of impossible plans and aborted reports. The numbers themselves are the
// engine's (tests/engine/quantize, tests/engine/eval); these tests check they arrive intact.
import { afterEach, describe, expect, it } from "vitest";
import {
  createQuantLab,
  QuantLabError,
  type QuantLab,
} from "../../web/lib/dist/index.node.js";
import { mnistSplit, readRepoFile as read } from "./fixtures";

const files = (name: string) => ({
  manifest: read(`models/${name}/manifest.json`),
  weights: read(`models/${name}/model.safetensors`),
});

const labs: QuantLab[] = [];
const newLab = (worker: boolean) => {
  const lab = createQuantLab({ worker });
  labs.push(lab);
  return lab;
};
afterEach(async () => {
  await Promise.all(labs.splice(0).map((lab) => lab.dispose()));
});

const codeOf = async (work: Promise<unknown>) => {
  try {
    await work;
  } catch (error) {
    expect(error).toBeInstanceOf(QuantLabError);
    return { code: (error as QuantLabError).code, message: String(error) };
  }
  throw new Error("no error");
};

describe.each([
  ["a worker_threads Worker", true],
  ["this thread", false],
])("quantization with the engine in %s", (_, worker) => {
  it("quantizes, evaluates on the integer kernels, and its files load back to the same predictions", async () => {
    const lab = newLab(worker);
    const model = await lab.loadModel(files("mnist-cnn"));
    const calibration = await mnistSplit("calibration");
    const test = await mnistSplit("test");
    const int8 = await lab.quantizeModel(model, calibration, { plan: "int8" });
    expect(int8.kind).toBe("quantized-model");
    expect(int8.plan.default?.activations).toBe("int8-static");
    expect(int8.bitsPerWeight).toBeGreaterThan(8);
    expect(int8.bitsPerWeight).toBeLessThan(8.1);
    const fp32 = await lab.evaluate(model, test);
    const quantized = await lab.evaluate(int8, test);
    expect(Math.abs(fp32.accuracy - quantized.accuracy)).toBeLessThan(0.01);

    const saved = await lab.saveModel(int8);
    expect(JSON.parse(saved.manifestJson).quantization.plan.name).toBe("int8");
    const loaded = await lab.loadQuantizedModel({
      manifest: saved.manifestJson,
      weights: saved.weights,
    });
    const images = { images: test.images, rows: 28, cols: 28 };
    expect(await lab.classify(loaded, images)).toEqual(
      await lab.classify(int8, images),
    );
    expect(loaded.weightBytes).toBe(int8.weightBytes);
  });

  it("reports FP32 against each plan with the schema's fields, and formats it", async () => {
    const lab = newLab(worker);
    const model = await lab.loadModel(files("mnist-mlp"));
    const calibration = await mnistSplit("calibration");
    const test = await mnistSplit("test");
    const stages = new Set<string>();
    const report = await lab.report(model, test, calibration, {
      plans: [
        "int8",
        {
          name: "mine",
          default: { weights: "int4", granularity: "per_channel" },
        },
      ],
      speedRounds: 1,
      onProgress: (p) => stages.add(p.detail!.stage),
    });
    expect(report.format).toBe("quantlab-report");
    expect(report.plans.map((p) => p.name)).toEqual(["int8", "mine"]);
    expect(report.fp32.correct).toBe(model.manifest.metrics.test_correct);
    expect(report.test_examples).toBe(test.count);
    for (const row of report.plans) {
      expect(row.decay_points).toBeCloseTo(
        100 * (report.fp32.accuracy - row.accuracy),
        9,
      );
      expect(row.speed?.speedup_batch).toBeGreaterThan(0);
      // Views that count their own results get the same interval the report gives.
      expect(
        await lab.accuracyInterval(row.correct, report.test_examples),
      ).toEqual(row.accuracy_interval);
    }
    for (const [correct, count] of [
      [3, 2],
      [-1, 5],
      [1.5, 5],
      [0, 0],
    ] as const)
      await expect(lab.accuracyInterval(correct, count)).rejects.toThrow(
        `accuracyInterval needs whole counts with 0 <= correct <= count and count >= 1 (got correct ${correct}, count ${count})`,
      );
    expect(stages).toContain("int8: calibrating");
    expect(stages).toContain("mine: test set");
    const markdown = await lab.reportMarkdown(report);
    expect(markdown).toContain("| Memory per value | 32.00 bits |");
    expect((await lab.reportCsv(report)).trim().split("\n")).toHaveLength(4);
  });

  it("measures every observer on every layer input, as the quantized model calibrates", async () => {
    const lab = newLab(worker);
    const model = await lab.loadModel(files("mnist-mlp"));
    const calibration = await mnistSplit("calibration");
    const stages: number[] = [];
    const layers = await lab.activationHistograms(model, calibration, {
      samples: 300,
      onProgress: ({ done }) => stages.push(done),
    });
    expect(layers.map((l) => l.layer)).toEqual(["fc1", "fc2", "fc3"]);
    expect(stages.at(-1)).toBe(300);
    const int8 = await lab.quantizeModel(model, calibration, {
      plan: "int8",
      calibration: { samples: 300 },
    });
    const ranges = (
      int8.manifest as unknown as {
        quantization: {
          calibration: { input_ranges: Record<string, [number, number]> };
        };
      }
    ).quantization.calibration.input_ranges;
    for (const layer of layers) {
      expect(layer.ranges.map((r) => r.method)).toEqual([
        "minmax",
        "moving_average_minmax",
        "percentile",
        "mse",
        "entropy",
      ]);
      const minmax = layer.ranges[0]!;
      // The same float32 range (the manifest writes it with float32's shortest digits).
      expect([minmax.min, minmax.max].map(Math.fround)).toEqual(
        ranges[layer.layer]!.map(Math.fround),
      );
      expect(minmax.clippedFraction).toBe(0);
      expect(layer.counts).toBeInstanceOf(Float64Array);
      expect(layer.binWidth).toBeGreaterThan(0);
      const total = layer.counts.reduce((a, b) => a + b, 0);
      expect(total % 300).toBe(0); // every value of the 300 images
    }
  });

  it("searches a mixed plan on training images, and the chosen plan quantizes", async () => {
    const lab = newLab(worker);
    const model = await lab.loadModel(files("mnist-mlp"));
    const train = await mnistSplit("calibration");
    const result = await lab.search(model, train, {
      budget: "6bpw",
      validation: 256,
      calibration: { samples: 256 },
    });
    expect(result.budgetMet).toBe(true);
    expect(result.sensitivity.validation_examples).toBe(256);
    expect(result.search.front.length).toBeGreaterThan(0);
    const chosen = result.search.plans[result.search.chosen]!;
    expect(chosen.bits_per_weight).toBeLessThanOrEqual(6);
    const quantized = await lab.quantizeModel(model, train, {
      plan: result.chosenPlan,
      calibration: { samples: 256 },
    });
    expect(quantized.bitsPerWeight).toBeCloseTo(chosen.bits_per_weight, 9);
    expect(result.markdown).toContain("## Pareto front");
  });

  it("stops a search when aborted mid-way, and the model stays usable", async () => {
    const lab = newLab(worker);
    const model = await lab.loadModel(files("mnist-mlp"));
    const train = await mnistSplit("calibration");
    const controller = new AbortController();
    let progressed = 0;
    const error = await codeOf(
      lab.search(model, train, {
        budget: "6bpw",
        validation: 256,
        calibration: { samples: 256 },
        signal: controller.signal,
        onProgress: () => {
          progressed++;
          controller.abort();
        },
      }),
    );
    expect(error.code).toBe("Aborted");
    expect(progressed).toBeGreaterThan(0);
    expect((await lab.memoryUsage()).handles).toBe(1);
    const test = await mnistSplit("test");
    const { correct } = await lab.evaluate(model, test);
    expect(correct).toBe(model.manifest.metrics.test_correct);
  });

  it("rejects an impossible plan with InvalidPlan naming the layer and field", async () => {
    const lab = newLab(worker);
    const model = await lab.loadModel(files("mnist-mlp"));
    const calibration = await mnistSplit("calibration");
    const bad = {
      default: { weights: "int4", granularity: "per_group", group_size: 12 },
    } as const;
    const error = await codeOf(
      lab.quantizeModel(model, calibration, { plan: bad }),
    );
    expect(error.code).toBe("InvalidPlan");
    expect(error.message).toContain("fc1.weights: group size 12");
    const preset = await codeOf(
      lab.quantizeModel(model, calibration, { plan: "int3" as never }),
    );
    expect(preset.code).toBe("InvalidPlan");
    expect(preset.message).toContain("unknown plan preset 'int3'");
  });

  it("stops calibration at the batch after an abort, leaving no handle behind", async () => {
    const lab = newLab(worker);
    const model = await lab.loadModel(files("mnist-mlp"));
    const calibration = await mnistSplit("calibration");
    const controller = new AbortController();
    const seen: number[] = [];
    const error = await codeOf(
      lab.quantizeModel(model, calibration, {
        plan: "int8",
        calibration: { samples: 1024 }, // four batches of 256
        signal: controller.signal,
        onProgress: ({ done }) => {
          seen.push(done);
          controller.abort();
        },
      }),
    );
    expect(error.code).toBe("Aborted");
    expect(seen[0]).toBe(256);
    expect((await lab.memoryUsage()).handles).toBe(1);
    // The engine and the model are as they were: the same plan quantizes and evaluates.
    const int8 = await lab.quantizeModel(model, calibration, { plan: "int8" });
    const test = await mnistSplit("test");
    const { accuracy } = await lab.evaluate(int8, test);
    expect(accuracy).toBeGreaterThan(0.9);
  });

  it("stops the report's speed measurement after the round in progress", async () => {
    const lab = newLab(worker);
    const model = await lab.loadModel(files("mnist-mlp"));
    const calibration = await mnistSplit("calibration");
    const test = await mnistSplit("test");
    const controller = new AbortController();
    const speed: number[] = [];
    const error = await codeOf(
      lab.report(model, test, calibration, {
        plans: ["int8"],
        speedRounds: 1000,
        signal: controller.signal,
        onProgress: ({ done, detail }) => {
          if (detail?.stage !== "measuring speed") return;
          speed.push(done);
          if (done >= 1) controller.abort();
        },
      }),
    );
    expect(error.code).toBe("Aborted");
    // Rounds are counted as they finish; 1000 would take minutes, the cancel comes after one.
    expect(speed[0]).toBe(0);
    expect(speed.at(-1)!).toBeLessThan(1000);
    expect((await lab.memoryUsage()).handles).toBe(1);
    const { correct } = await lab.evaluate(model, test);
    expect(correct).toBe(model.manifest.metrics.test_correct);
  });

  it("stops a report when aborted, and the model stays usable", async () => {
    const lab = newLab(worker);
    const model = await lab.loadModel(files("mnist-mlp"));
    const calibration = await mnistSplit("calibration");
    const test = await mnistSplit("test");
    const controller = new AbortController();
    const error = await codeOf(
      lab.report(model, test, calibration, {
        speedRounds: 0,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      }),
    );
    expect(error.code).toBe("Aborted");
    const { correct } = await lab.evaluate(model, test);
    expect(correct).toBe(model.manifest.metrics.test_correct);
  });
});

describe.each([
  ["a worker_threads Worker", true],
  ["this thread", false],
])("quantization-aware training with the engine in %s", (_, worker) => {
  it("fine-tunes under a plan with progress per batch and returns a quantized model", async () => {
    const lab = newLab(worker);
    const model = await lab.loadModel(files("mnist-mlp"));
    const train = await mnistSplit("calibration");
    const test = await mnistSplit("test");
    const batches: number[] = [];
    const result = await lab.qat(model, train, {
      plan: "w4a8",
      examplesPerEpoch: 256,
      calibrationSamples: 256,
      lsq: true,
      onProgress: (p) => batches.push(p.detail!.batch),
    });
    expect(batches).toEqual([1, 2, 3, 4]); // 256 examples in batches of 64
    expect(result.cancelled).toBe(false);
    expect(result.model.kind).toBe("quantized-model");
    const { accuracy } = await lab.evaluate(result.model, test);
    expect(accuracy).toBeGreaterThan(0.9);
  });

  it("stops when aborted, rejects with Aborted, and the model stays usable", async () => {
    const lab = newLab(worker);
    const model = await lab.loadModel(files("mnist-mlp"));
    const train = await mnistSplit("calibration");
    const controller = new AbortController();
    const error = await codeOf(
      lab.qat(model, train, {
        calibrationSamples: 256,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      }),
    );
    expect(error.code).toBe("Aborted");
    const test = await mnistSplit("test");
    const { correct } = await lab.evaluate(model, test);
    expect(correct).toBe(model.manifest.metrics.test_correct);
    expect((await lab.memoryUsage()).handles).toBe(1);
  });
});
