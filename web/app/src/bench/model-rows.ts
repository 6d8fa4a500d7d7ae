// The end-to-end rows, shared by `npm run bench` (Node, scripts/bench/models.ts) and the bench
// page (its Worker): a whole shipped model classifying the same test images through the lab's
// classify path in FP32 and quantized, against ONNX Runtime Web running the same FP32 graph
// and the int8 QDQ graph of our int8 model, all timed interleaved at one thread count.
import type * as Ort from "onnxruntime-web";
import type { SplitFiles } from "../shell/datasets";
import type {
  ModelHandle,
  PlanPreset,
  QuantizedModelHandle,
  QuantLab,
} from "quantlab";
import { maxRelativeDifference } from "./logit-agreement";
import { modelBatch, type ModelBatch } from "./model-batch";
import { modelGraph, readSafetensorsF32 } from "./model-graph";
import { configureOrt, createOrtSession } from "./ort-backend";
import { ortInt8Session, type OrtInt8 } from "./ort-int8";
import { measureInterleaved, type TimingOptions } from "./timing";

/** The batch sizes of the rows: one image (GEMVs) and a batch of 256 (GEMMs). */
export const MODEL_BATCHES: readonly number[] = [1, 256];

/** The models of the rows. */
export const BENCH_MODELS: readonly string[] = ["fashion-cnn", "fashion-mlp"];

/** A shipped model's files and its dataset's test and calibration splits. */
export interface ModelFiles {
  name: string;
  manifest: Uint8Array;
  weights: Uint8Array;
  test: SplitFiles;
  calibration: SplitFiles;
}

export interface ModelRowOptions {
  /**
   * Presets quantized and timed besides FP32 (a plan name each); with ONNX Runtime it must
   * hold "int8", whose int8 graph ORT runs.
   */
  plans: readonly PlanPreset[];
  timing: TimingOptions;
  /** Ours and ONNX Runtime's (ORT keeps the count of its first session). */
  threads: number;
  /** ONNX Runtime Web to compare against; omitted, the ORT fields stay empty. */
  ort?: typeof Ort;
  onStep?: (step: string) => void;
}

export interface ModelRow {
  model: string;
  batch: number;
  threads: number;
  /** ms per classify call by plan ("fp32" and each preset), median. */
  ours: Record<string, number>;
  /** ms per call of ORT's FP32 graph, median. */
  ort: number | undefined;
  /** Largest |ours − ORT| over the FP32 logits, relative to the largest |logit|. */
  ortDifference: number | undefined;
  /** ms per call of ORT's int8 QDQ graph of our int8 model, median. */
  ortInt8: number | undefined;
  /** The same for the int8 logits, and the fraction of images with the same top class. */
  ortInt8Difference: number | undefined;
  ortInt8Agreement: number | undefined;
}

/** One model's rows at every batch of MODEL_BATCHES: quantized once, then each batch timed. */
export async function benchModel(
  lab: QuantLab,
  files: ModelFiles,
  options: ModelRowOptions,
): Promise<ModelRow[]> {
  const { name } = files;
  if (options.ort && !options.plans.includes("int8"))
    throw new Error('the ONNX Runtime rows need the "int8" plan');
  if (options.ort) configureOrt(options.ort, options.threads);
  // A copy for the lab, which may keep it: ONNX Runtime's FP32 graph reads files.weights.
  const model = await lab.loadModel({
    manifest: files.manifest,
    weights: files.weights.slice(),
  });
  const dataset = (split: SplitFiles) =>
    lab.parseIdxDataset(split.images, split.labels);
  const [test, calibration] = [
    await dataset(files.test),
    await dataset(files.calibration),
  ];
  const quantized: Record<string, QuantizedModelHandle> = {};
  try {
    for (const plan of options.plans) {
      options.onStep?.(`${name}: quantizing ${plan}`);
      quantized[plan] = await lab.quantizeModel(model, calibration, { plan });
    }
    const rows: ModelRow[] = [];
    for (const batch of MODEL_BATCHES) {
      options.onStep?.(`${name}: batch ${batch}`);
      const inputs = modelBatch(test, model.manifest, batch);
      rows.push(await timeBatch(lab, files, model, quantized, inputs, options));
    }
    return rows;
  } finally {
    for (const handle of Object.values(quantized)) await lab.dispose(handle);
    await lab.dispose(model);
  }
}

async function timeBatch(
  lab: QuantLab,
  files: ModelFiles,
  model: ModelHandle,
  quantized: Record<string, QuantizedModelHandle>,
  inputs: ModelBatch,
  { ort, timing, threads }: ModelRowOptions,
): Promise<ModelRow> {
  const { images, input, dims } = inputs;
  // Every plan of ours, FP32 included, classifies the same u8 images through the same call, so
  // the rows differ only in the model's arithmetic.
  const workloads: Record<string, (n: number) => Promise<unknown>> = {};
  for (const [plan, handle] of Object.entries({ fp32: model, ...quantized }))
    workloads[plan] = async (n) => {
      for (let i = 0; i < n; ++i) await lab.classify(handle, images);
    };
  let session: Ort.InferenceSession | undefined;
  let ortDifference: number | undefined;
  let int8: OrtInt8 | undefined;
  try {
    if (ort) {
      session = await createOrtSession(
        ort,
        modelGraph(model.manifest, readSafetensorsF32(files.weights), dims[0]!),
      );
      const feeds = { X: new ort.Tensor("float32", input, dims) };
      const theirs = (await session.run(feeds)).Y!.data as Float32Array;
      const ours = (await lab.run(model, input, dims)).output;
      ortDifference = maxRelativeDifference(ours, theirs);
      const fp32 = session;
      workloads.ort = async (n) => {
        for (let i = 0; i < n; ++i) (await fp32.run(feeds)).Y!.dispose();
      };
      const qdq = await ortInt8Session(ort, lab, quantized.int8!, inputs);
      int8 = qdq;
      workloads.ortInt8 = async (n) => {
        for (let i = 0; i < n; ++i) (await qdq.session.run(feeds)).Y!.dispose();
      };
    }
    const names = Object.keys(workloads);
    const timings = await measureInterleaved(
      names.map((k) => workloads[k]!),
      timing,
    );
    const ms = Object.fromEntries(names.map((k, i) => [k, timings[i]!.median]));
    const { ort: ortMs, ortInt8: ortInt8Ms, ...ours } = ms;
    return {
      model: files.name,
      batch: dims[0]!,
      threads,
      ours,
      ort: ortMs,
      ortDifference,
      ortInt8: ortInt8Ms,
      ortInt8Difference: int8?.difference,
      ortInt8Agreement: int8?.agreement,
    };
  } finally {
    await session?.release();
    await int8?.session.release();
  }
}
