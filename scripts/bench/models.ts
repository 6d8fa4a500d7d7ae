// End-to-end rows of `npm run bench`: whole shipped models, our executor (FP32 and quantized
// presets, through the library in this thread) against ONNX Runtime Web running the same FP32
// graph and the int8 QDQ graph of our int8 model, at batch 1 and 256, timed interleaved, both at
// the run's thread count (web/app/src/bench/model-rows.ts, which the bench page runs too); the
// evaluation of fashion-cnn on all 10,000 test images at 1 thread (the single-threaded engine)
// and at the run's count, interleaved; and the wall time of `report` on fashion-cnn (FP32 + the
// default presets over all 10,000 test images, calibration included).
import { readFileSync } from "node:fs";
import type * as Ort from "onnxruntime-web";
import { createQuantLab } from "../../web/lib/src/index.node";
import type { IdxDataset, ModelHandle } from "../../web/lib/src/public";
import {
  BENCH_MODELS,
  benchModel,
  type ModelFiles,
  type ModelRow,
} from "../../web/app/src/bench/model-rows";
import {
  formatModelTable,
  MODEL_TABLE_LEGEND,
  modelTargets,
} from "../../web/app/src/bench/model-table";
import { formatCheck } from "../../web/app/src/bench/targets";
import {
  measureInterleaved,
  type TimingOptions,
} from "../../web/app/src/bench/timing";

const root = new URL("../../", import.meta.url);
const read = (path: string) =>
  new Uint8Array(readFileSync(new URL(path, root)));
/** The presets timed besides FP32 (the page times int8 and w4a8, the rows). */
const PRESETS = ["int8", "int8-dynamic", "w4a8", "int4-g32"] as const;

function modelFiles(name: string): ModelFiles {
  const split = (split: string) => ({
    images: read(
      `web/app/public/data/fashion-mnist/${split}-images-idx3-ubyte.gz`,
    ),
    labels: read(
      `web/app/public/data/fashion-mnist/${split}-labels-idx1-ubyte.gz`,
    ),
  });
  return {
    name,
    manifest: read(`models/${name}/manifest.json`),
    weights: read(`models/${name}/model.safetensors`),
    test: split("test"),
    calibration: split("calibration"),
  };
}

/** fashion-cnn's evaluate() over the 10,000 test images: 1 thread against `threads`. */
export interface EvaluationScaling {
  threads: number;
  /** ms per evaluation, median. */
  oneThreadMs: number;
  threadsMs: number;
}

export interface ModelBench {
  threads: number;
  plans: readonly string[];
  rows: ModelRow[];
  evaluation?: EvaluationScaling;
  reportSeconds: number;
}

export async function benchModels(
  ort: typeof Ort | undefined,
  timing: TimingOptions,
  threads: number,
  onStep: (step: string) => void,
): Promise<ModelBench> {
  const lab = createQuantLab({ worker: false, threads });
  const rows: ModelRow[] = [];
  try {
    const models = BENCH_MODELS.map(modelFiles);
    for (const files of models)
      rows.push(
        ...(await benchModel(lab, files, {
          plans: PRESETS,
          timing,
          threads,
          ort,
          onStep,
        })),
      );
    const files = models.find((m) => m.name === "fashion-cnn")!;
    const model = await lab.loadModel({
      manifest: files.manifest,
      weights: files.weights,
    });
    const data = (split: ModelFiles["test"]) =>
      lab.parseIdxDataset(split.images, split.labels);
    const test = await data(files.test);
    const evaluation =
      threads > 1
        ? await evaluationScaling(lab, files, model, test, threads, onStep)
        : undefined;
    onStep("fashion-cnn: report");
    const start = performance.now();
    await lab.report(model, test, await data(files.calibration));
    return {
      threads,
      plans: PRESETS,
      rows,
      evaluation,
      reportSeconds: (performance.now() - start) / 1000,
    };
  } finally {
    await lab.dispose();
  }
}

// Whole evaluations are seconds long, so a few interleaved samples without warm-up repeats.
async function evaluationScaling(
  lab: ReturnType<typeof createQuantLab>,
  files: ModelFiles,
  many: ModelHandle,
  test: IdxDataset,
  threads: number,
  onStep: (step: string) => void,
): Promise<EvaluationScaling> {
  onStep(`fashion-cnn: evaluate 10,000 images, 1 and ${threads} threads`);
  const single = createQuantLab({ worker: false, threads: 1 });
  try {
    const one = await single.loadModel({
      manifest: files.manifest,
      weights: files.weights,
    });
    const [oneTiming, manyTiming] = await measureInterleaved(
      [
        async () => single.evaluate(one, test),
        async () => lab.evaluate(many, test),
      ],
      { warmupMs: 0, samples: 5, minSampleMs: 0 },
    );
    return {
      threads,
      oneThreadMs: oneTiming!.median,
      threadsMs: manyTiming!.median,
    };
  } finally {
    await single.dispose();
  }
}

export function formatModelBench(bench: ModelBench): string {
  const evaluation = bench.evaluation;
  const checks = [
    ...modelTargets(bench.rows),
    ...(evaluation
      ? [
          {
            label: `fashion-cnn evaluation of 10,000 images on ${evaluation.threads} threads ≥ 1.8× one thread (${evaluation.oneThreadMs.toFixed(0)} → ${evaluation.threadsMs.toFixed(0)} ms)`,
            value: evaluation.oneThreadMs / evaluation.threadsMs,
            target: 1.8,
            unit: "×" as const,
            pass: evaluation.oneThreadMs / evaluation.threadsMs >= 1.8,
          },
        ]
      : []),
  ];
  return [
    `threads: ${bench.threads} (ours and ONNX Runtime)`,
    formatModelTable(bench.rows, bench.plans),
    "",
    `(${MODEL_TABLE_LEGEND})`,
    ...checks.map((c) => `target: ${formatCheck(c)}`),
    ...(evaluation
      ? []
      : [
          "target: fashion-cnn evaluation on 2 threads — not measured (1 thread)",
        ]),
    `target: quantlab report models/fashion-cnn (FP32 + 5 presets, 10,000 images, calibration) ≤ 30 s in Node, ${bench.threads} thread(s): ${bench.reportSeconds.toFixed(1)} s — ${bench.reportSeconds <= 30 ? "met" : "NOT met"}`,
  ].join("\n");
}
