// End-to-end rows of `npm run bench`: whole shipped models, our executor (FP32 and quantized
// presets, through the library in this thread) against ONNX Runtime Web running the same FP32
// graph and the int8 QDQ graph of our int8 model (ort-int8.ts), at batch 1 and 256, timed interleaved, both at the run's thread count; the evaluation
// of fashion-cnn on all 10,000 test images at 1 thread (the single-threaded engine) and at the
// run's count, interleaved; and the wall time of `report` on fashion-cnn (FP32 + the default
// presets over all 10,000 test images, calibration included).
import { readFileSync } from "node:fs";
import type * as Ort from "onnxruntime-web";
import { createQuantLab } from "../../web/lib/src/index.node";
import type {
  IdxDataset,
  ModelHandle,
  QuantizedModelHandle,
} from "../../web/lib/src/public";
import {
  modelGraph,
  readSafetensorsF32,
} from "../../web/app/src/bench/model-graph";
import { encodeOnnxModel } from "../../web/app/src/bench/onnx-model";
import { configureOrt } from "../../web/app/src/bench/ort-backend";
import { modelBatch } from "./model-batch";
import { ortInt8Session } from "./ort-int8";
import {
  measureInterleaved,
  type TimingOptions,
} from "../../web/app/src/bench/timing";

const root = new URL("../../", import.meta.url);
const read = (path: string) =>
  new Uint8Array(readFileSync(new URL(path, root)));
const PRESETS = ["int8", "int8-dynamic", "w4a8", "int4-g32"] as const;

export interface ModelRow {
  model: string;
  batch: number;
  /** ms per call, median. */
  ours: Record<string, number>;
  ort: number | undefined;
  /** Largest |ours − ORT| over the FP32 logits, relative to the largest |logit|. */
  ortDifference: number | undefined;
  /** ms per call of ORT's int8 QDQ graph of our int8 model, median. */
  ortInt8: number | undefined;
  /** The same for the int8 logits, and the fraction of images with the same top class. */
  ortInt8Difference: number | undefined;
  ortInt8Agreement: number | undefined;
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
  if (ort) configureOrt(ort, threads);
  const lab = createQuantLab({ worker: false, threads });
  const rows: ModelRow[] = [];
  try {
    for (const name of ["fashion-cnn", "fashion-mlp"]) {
      const manifest = read(`models/${name}/manifest.json`);
      const weights = read(`models/${name}/model.safetensors`);
      const model = await lab.loadModel({ manifest, weights });
      const data = (split: string) =>
        lab.parseIdxDataset(
          read(
            `web/app/public/data/fashion-mnist/${split}-images-idx3-ubyte.gz`,
          ),
          read(
            `web/app/public/data/fashion-mnist/${split}-labels-idx1-ubyte.gz`,
          ),
        );
      const [test, calibration] = [
        await data("test"),
        await data("calibration"),
      ];
      const quantized: Record<string, QuantizedModelHandle> = {};
      for (const plan of PRESETS) {
        onStep(`${name}: quantizing ${plan}`);
        quantized[plan] = await lab.quantizeModel(model, calibration, { plan });
      }
      for (const batch of [1, 256]) {
        onStep(`${name}: batch ${batch}`);
        rows.push(
          await timeBatch(
            lab,
            ort,
            name,
            model,
            quantized,
            weights,
            test,
            batch,
            timing,
          ),
        );
      }
    }
    onStep("fashion-cnn: report");
    const model = await lab.loadModel({
      manifest: read("models/fashion-cnn/manifest.json"),
      weights: read("models/fashion-cnn/model.safetensors"),
    });
    const data = (split: string) =>
      lab.parseIdxDataset(
        read(`web/app/public/data/fashion-mnist/${split}-images-idx3-ubyte.gz`),
        read(`web/app/public/data/fashion-mnist/${split}-labels-idx1-ubyte.gz`),
      );
    const test = await data("test");
    const evaluation =
      threads > 1
        ? await evaluationScaling(lab, test, threads, onStep)
        : undefined;
    onStep("fashion-cnn: report");
    const start = performance.now();
    await lab.report(model, test, await data("calibration"));
    return {
      threads,
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
  test: IdxDataset,
  threads: number,
  onStep: (step: string) => void,
): Promise<EvaluationScaling> {
  onStep(`fashion-cnn: evaluate 10,000 images, 1 and ${threads} threads`);
  const single = createQuantLab({ worker: false, threads: 1 });
  try {
    const files = {
      manifest: read("models/fashion-cnn/manifest.json"),
      weights: read("models/fashion-cnn/model.safetensors"),
    };
    const [one, many] = [
      await single.loadModel(files),
      await lab.loadModel(files),
    ];
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

async function timeBatch(
  lab: ReturnType<typeof createQuantLab>,
  ort: typeof Ort | undefined,
  name: string,
  model: ModelHandle,
  quantized: Record<string, QuantizedModelHandle>,
  weights: Uint8Array,
  test: IdxDataset,
  batch: number,
  timing: TimingOptions,
): Promise<ModelRow> {
  const inputs = modelBatch(test, model.manifest, batch);
  const { images, input, dims } = inputs;
  // Every plan of ours, FP32 included, classifies the same u8 images through the same call, so
  // the rows differ only in the model's arithmetic.
  const workloads: Record<string, (n: number) => Promise<unknown>> = {
    fp32: async (n) => {
      for (let i = 0; i < n; ++i) await lab.classify(model, images);
    },
  };
  for (const [plan, handle] of Object.entries(quantized)) {
    workloads[plan] = async (n) => {
      for (let i = 0; i < n; ++i) await lab.classify(handle, images);
    };
  }
  let session: Ort.InferenceSession | undefined;
  let ortDifference: number | undefined;
  let int8: Awaited<ReturnType<typeof ortInt8Session>> | undefined;
  if (ort) {
    session = await ort.InferenceSession.create(
      encodeOnnxModel(
        modelGraph(model.manifest, readSafetensorsF32(weights), batch),
      ),
      { executionProviders: ["wasm"], graphOptimizationLevel: "all" },
    );
    const feeds = { X: new ort.Tensor("float32", input, dims) };
    const theirs = (await session.run(feeds)).Y!.data as Float32Array;
    const ours = (await lab.run(model, input, dims)).output;
    const scale = Math.max(...ours.map(Math.abs));
    ortDifference =
      Math.max(...ours.map((v, i) => Math.abs(v - theirs[i]!))) / scale;
    workloads.ort = async (n) => {
      for (let i = 0; i < n; ++i) (await session!.run(feeds)).Y!.dispose();
    };
    int8 = await ortInt8Session(ort, lab, quantized.int8!, inputs);
    workloads.ortInt8 = async (n) => {
      for (let i = 0; i < n; ++i) (await int8!.session.run(feeds)).Y!.dispose();
    };
  }
  const names = Object.keys(workloads);
  const timings = await measureInterleaved(
    names.map((k) => workloads[k]!),
    timing,
  );
  await session?.release();
  await int8?.session.release();
  const ms = Object.fromEntries(names.map((k, i) => [k, timings[i]!.median]));
  const { ort: ortMs, ortInt8: ortInt8Ms, ...ours } = ms;
  return {
    model: name,
    batch,
    ours,
    ort: ortMs,
    ortDifference,
    ortInt8: ortInt8Ms,
    ortInt8Difference: int8?.difference,
    ortInt8Agreement: int8?.agreement,
  };
}

export function formatModelBench(bench: ModelBench): string {
  const plans = ["fp32", ...PRESETS];
  const header = [
    "model",
    "batch",
    ...plans.map((p) => `${p} ms`),
    "ORT fp32 ms",
    "ours fp32 ÷ ORT",
    "max |Δ| vs ORT",
    "ORT int8 ms",
    "ours int8 ÷ ORT int8",
    "int8 max |Δ|, top-1 agreement vs ORT",
  ];
  const lines = [
    `threads: ${bench.threads} (ours and ONNX Runtime)`,
    header.join("  "),
  ];
  for (const r of bench.rows) {
    lines.push(
      [
        r.model,
        String(r.batch),
        ...plans.map(
          (p) =>
            `${r.ours[p]!.toPrecision(3)} (${(r.ours.fp32! / r.ours[p]!).toFixed(2)}×)`,
        ),
        r.ort?.toPrecision(3) ?? "—",
        r.ort ? (r.ours.fp32! / r.ort).toFixed(3) : "—",
        r.ortDifference?.toExponential(1) ?? "—",
        r.ortInt8?.toPrecision(3) ?? "—",
        r.ortInt8 ? (r.ours.int8! / r.ortInt8).toFixed(3) : "—",
        r.ortInt8Difference === undefined
          ? "—"
          : `${r.ortInt8Difference.toExponential(1)}, ${(100 * r.ortInt8Agreement!).toFixed(1)}%`,
      ].join("  "),
    );
  }
  const cnn = bench.rows.find(
    (r) => r.model === "fashion-cnn" && r.batch === 256,
  );
  lines.push(
    "",
    "(×: speedup over our FP32 in the same run; ours ÷ ORT < 1: ours faster; Δ relative to the largest logit)",
    cnn?.ort
      ? `target: our FP32 executor ≥ 1.3× ONNX Runtime Web on fashion-cnn (batch 256): ${(cnn.ort / cnn.ours.fp32!).toFixed(2)}× — ${cnn.ort / cnn.ours.fp32! >= 1.3 ? "met" : "NOT met"}`
      : "target: our FP32 executor vs ONNX Runtime Web — not measured (--no-ort)",
    ...int8Targets(cnn),
    bench.evaluation
      ? `target: fashion-cnn evaluation of 10,000 images on ${bench.evaluation.threads} threads ≥ 1.8× one thread: ${bench.evaluation.oneThreadMs.toFixed(0)} → ${bench.evaluation.threadsMs.toFixed(0)} ms, ${(bench.evaluation.oneThreadMs / bench.evaluation.threadsMs).toFixed(2)}× — ${bench.evaluation.oneThreadMs / bench.evaluation.threadsMs >= 1.8 ? "met" : "NOT met"}`
      : "target: fashion-cnn evaluation on 2 threads — not measured (1 thread)",
    `target: quantlab report models/fashion-cnn (FP32 + 5 presets, 10,000 images, calibration) ≤ 30 s in Node, ${bench.threads} thread(s): ${bench.reportSeconds.toFixed(1)} s — ${bench.reportSeconds <= 30 ? "met" : "NOT met"}`,
  );
  return lines.join("\n");
}

// Issue 14's end-to-end targets: our INT8 fashion-cnn at batch 256 against ORT's FP32 graph and
// its int8 QDQ graph, same threads.
function int8Targets(cnn: ModelRow | undefined): string[] {
  if (!cnn?.ort || !cnn.ortInt8)
    return ["target: our INT8 vs ONNX Runtime Web — not measured (--no-ort)"];
  const target = (what: string, theirs: number, goal: number) => {
    const ratio = theirs / cnn.ours.int8!;
    return `target: our INT8 fashion-cnn (batch 256) ≥ ${goal}× ONNX Runtime Web's ${what}: ${ratio.toFixed(2)}× — ${ratio >= goal ? "met" : "NOT met"}`;
  };
  return [
    target("FP32", cnn.ort, 1.5),
    target("int8 QDQ graph", cnn.ortInt8, 1.0),
  ];
}
