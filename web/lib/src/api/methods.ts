// Every method of a QuantLab instance, in one table: the worker serves it, the in-thread mode
// runs it directly, and the QuantLab type (quantlab.ts) is derived from it. Adding an
// engine-backed method means adding one entry here (and its binding's typing in
// engine-module.ts). Methods run in the thread that owns the engine; arguments and results
// cross the worker boundary by structured clone, so they are plain data and handles.
import { compareSchemes, type SchemeComparison } from "../compare.js";
import { invalidArgument, toQuantLabError, type ErrorCode } from "../errors.js";
import {
  imageSizeOf,
  loadModel,
  parseIdxDataset,
  rawModelOf,
  type Evaluation,
  type IdxDataset,
  type Images,
  type LabelledImages,
  type Model,
  type ModelFiles,
} from "../models/model.js";
import {
  trainModel,
  type TrainOptions,
  type TrainProgress,
} from "../models/train.js";
import type { RawQatOutcome, RawReportProgress } from "../engine-module.js";
import type {
  Bits,
  FloatInput,
  QuantizedTensor,
  QuantSchemeOptions,
  Shape,
} from "../types.js";
import {
  loadQuantizedModel,
  planJson,
  quantizeModel,
  wrapQuantizedModel,
  type QuantizedModel,
} from "../quantization/quantized-model.js";
import {
  DEFAULT_REPORT_PLANS,
  type ActivationHistogramOptions,
  type LayerActivations,
  type Plan,
  type PlanPreset,
  type QuantizeOptions,
  type Report,
  type ReportOptions,
  type ReportProgress,
  type QatOptions,
  type QatProgress,
  type SearchOptions,
  type SearchResult,
} from "../quantization/types.js";
import type {
  GateThresholds,
  ReportComparison,
} from "../quantization/comparison.js";
import {
  loadLanguageModel,
  type GenerateOptions,
  type GenerateResult,
  type LanguageModel,
  type LanguageModelReport,
  type LanguageModelReportOptions,
} from "../models/language-model.js";
import type {
  Handle,
  LanguageModelHandle,
  ModelHandle,
  QuantizedModelHandle,
} from "./handles.js";
import { method, type MethodContext } from "./method.js";
import { engineMemoryBytes, engineThreads } from "../loader/load.js";
import type { ThreadsInfo } from "../loader/threads.js";

/** Options of evaluate. */
export interface EvaluateOptions {
  /** Images per engine call; progress and abort checks happen between calls. Default 1000. */
  batchSize: number;
}

/** The result of run: the network's output tensor. */
export interface RunResult {
  output: Float32Array;
  /** [batch, ...output shape of the last layer]. */
  shape: number[];
}

/** Options of logits. */
export interface LogitsOptions {
  /** Images per engine call; progress and abort checks happen between calls. Default 1000. */
  batchSize: number;
}

/** The result of logits: each image's output, and the engine's time for them. */
export interface LogitsResult {
  /** [count, classes], row by row. */
  logits: Float32Array;
  count: number;
  classes: number;
  /** Milliseconds the engine spent (in its thread, excluding messaging). */
  ms: number;
}

/** The result of qat: the engine's outcome, its model behind a handle. */
export type QatResult = Omit<RawQatOutcome, "model"> & {
  /** The trained model, quantized; dispose it when done. */
  model: QuantizedModelHandle;
};

/** The result of train. */
export interface TrainResult {
  /** The trained copy (the input model is unchanged); dispose it when done. */
  model: ModelHandle;
  epochsCompleted: number;
  /** The last epoch's mean training loss and accuracy. */
  loss: number;
  accuracy: number;
  seconds: number;
}

/** Training options (all optional, defaults as in the engine's trainer). */
export type TrainMethodOptions = Omit<TrainOptions, "onProgress" | "aborted">;

/** The SIMD kernels the engine runs (simdKernels). */
export type SimdKernels = "relaxed-simd" | "simd128";

/** What the engine holds (memoryUsage). */
export interface MemoryUsage {
  /** Size of the engine's WebAssembly memory; it grows on demand and never shrinks. */
  wasmBytes: number;
  /** Live handles (not yet disposed). */
  handles: number;
}

/** A model's files as the engine saves them: loading them gives the same model. */
export interface SavedModel {
  manifestJson: string;
  weights: Uint8Array;
}

const model = (context: MethodContext<unknown>, handle: ModelHandle): Model =>
  context.handles.get<Model>(handle, "model");

/** An engine progress callback for a staged report: progress per stage, false once aborted. */
const stageProgress =
  (context: MethodContext<ReportProgress>) =>
  (p: RawReportProgress): boolean => {
    context.progress({
      done: p.done,
      total: p.total,
      detail: { stage: p.stage },
      message: p.stage,
    });
    return !context.aborted();
  };

const languageModel = (
  context: MethodContext<unknown>,
  handle: LanguageModelHandle,
): LanguageModel =>
  context.handles.get<LanguageModel>(handle, "language-model");

/** What evaluate, classify and saveModel need, from a model or a quantized model. */
type Runnable = Pick<Model, "classify" | "files"> & {
  evaluate(data: LabelledImages): Evaluation;
};
const runnable = (
  context: MethodContext<unknown>,
  handle: ModelHandle | QuantizedModelHandle,
): Runnable =>
  context.handles.get<Model | QuantizedModel>(handle, handle?.kind ?? "model");

const quantizedHandle = (
  context: MethodContext<unknown>,
  quantized: QuantizedModel,
): QuantizedModelHandle => {
  const { manifest, plan, weightBytes, bitsPerWeight } = quantized;
  return context.handles.add(
    (id) => ({
      kind: "quantized-model",
      id,
      manifest,
      plan,
      weightBytes,
      bitsPerWeight,
    }),
    quantized,
  );
};

const DEFAULT_EVALUATE_BATCH = 1000;

/** The methods of a QuantLab instance; see QuantLab for their documentation. */
export const methods = {
  /** Loads a model from its manifest.json and model.safetensors (InvalidModel if rejected). */
  loadModel: method(
    1,
    async (context, [files]: [ModelFiles]): Promise<ModelHandle> => {
      const loaded = await loadModel(files, context.engine);
      const { manifest } = loaded;
      return context.handles.add(
        (id) => ({ kind: "model", id, manifest }),
        loaded,
      );
    },
  ),

  /**
   * Accuracy on labelled u8 images of a model (FP32) or a quantized model (integer kernels);
   * progress after each batch (detail: the running Evaluation).
   */
  evaluate: method(
    2,
    async (
      context: MethodContext<Evaluation>,
      [handle, data]: [ModelHandle | QuantizedModelHandle, LabelledImages],
      { batchSize = DEFAULT_EVALUATE_BATCH }: Partial<EvaluateOptions>,
    ): Promise<Evaluation> => {
      const target = runnable(context, handle);
      checkBatchSize(batchSize);
      const pixels = pixelsPerImage(handle, data);
      const count = data.labels.length;
      const total: Evaluation = { correct: 0, count: 0, accuracy: 0 };
      if (count * pixels !== data.images.length) return target.evaluate(data); // the engine explains
      for (let start = 0; start < count; start += batchSize) {
        const end = Math.min(count, start + batchSize);
        const part = target.evaluate({
          ...data,
          images: data.images.subarray(start * pixels, end * pixels),
          labels: data.labels.subarray(start, end),
        });
        total.correct += part.correct;
        total.count += part.count;
        total.accuracy = total.correct / total.count;
        context.progress({ done: end, total: count, detail: { ...total } });
        if (end < count) await context.checkpoint();
      }
      return total;
    },
  ),

  /** The highest-scoring class of each u8 image (flattened, or Images with rows and cols). */
  classify: method(
    2,
    (
      context,
      [handle, images]: [
        ModelHandle | QuantizedModelHandle,
        Uint8Array | Images,
      ],
    ): Int32Array => runnable(context, handle).classify(images),
  ),

  /** The network's output for any f32 input of shape [batch, ...model input shape]. */
  run: method(
    3,
    (
      context,
      [handle, input, shape]: [ModelHandle, Float32Array, Shape],
    ): RunResult => {
      const target = model(context, handle);
      if (!(input instanceof Float32Array))
        throw invalidArgument("input must be a Float32Array");
      Array.from(shape).forEach((dim, i) => {
        if (!Number.isSafeInteger(dim) || dim < 0)
          throw invalidArgument(
            `shape[${i}] must be a non-negative integer (got ${dim})`,
          );
      });
      const { output, shape: dims } = context.engine.runModel(
        rawModelOf(target).handle,
        input,
        shape,
      );
      return { output, shape: Array.from(dims) };
    },
  ),

  /**
   * The logits of u8 images on a model (FP32 kernels) or a quantized model (integer kernels),
   * in batches with progress after each; aborting stops at the next batch.
   */
  logits: method(
    2,
    async (
      context: MethodContext<undefined>,
      [handle, data]: [ModelHandle | QuantizedModelHandle, Images],
      { batchSize = DEFAULT_EVALUATE_BATCH }: Partial<LogitsOptions>,
    ): Promise<LogitsResult> => {
      checkBatchSize(batchSize);
      const run = (images: Images) => {
        if (handle?.kind === "quantized-model")
          return context.handles
            .get<QuantizedModel>(handle, "quantized-model")
            .logits(images);
        const { handle: raw, engine } = rawModelOf(model(context, handle));
        return engine.modelLogits(raw, images.images, imageSizeOf(images));
      };
      const pixels = pixelsPerImage(handle, data);
      const count = Math.floor(data.images.length / pixels);
      if (count * pixels !== data.images.length || count === 0) run(data); // the engine explains
      const parts: Float32Array[] = [];
      let classes = 0;
      let ms = 0;
      for (let start = 0; start < count; start += batchSize) {
        const end = Math.min(count, start + batchSize);
        const began = performance.now();
        const { output, shape } = run({
          ...data,
          images: data.images.subarray(start * pixels, end * pixels),
        });
        ms += performance.now() - began;
        classes = shape[1] ?? 0;
        parts.push(output);
        context.progress({ done: end, total: count });
        if (end < count) await context.checkpoint();
      }
      const logits = new Float32Array(count * classes);
      parts.reduce(
        (offset, part) => (logits.set(part, offset), offset + part.length),
        0,
      );
      return { logits, count, classes, ms };
    },
  ),

  /**
   * Trains a copy of the model; progress after every batch (detail: TrainProgress). Aborting
   * stops after the current batch and frees the partial copy.
   */
  train: method(
    2,
    async (
      context: MethodContext<TrainProgress>,
      [handle, data]: [ModelHandle, LabelledImages],
      options: Partial<TrainMethodOptions>,
    ): Promise<TrainResult> => {
      // Progress never stops training here (so `cancelled` stays false): aborting does.
      const {
        model: trained,
        cancelled: _,
        ...summary
      } = await trainModel(model(context, handle), data, {
        ...options,
        aborted: context.aborted,
        onProgress: (p) =>
          context.progress({
            done: (p.epoch - 1) * p.batches + p.batch,
            total: p.epochs * p.batches,
            detail: p,
          }),
      });
      const { manifest } = trained;
      return {
        model: context.handles.add(
          (id) => ({ kind: "model", id, manifest }),
          trained,
        ),
        ...summary,
      };
    },
  ),

  /** The model's (or quantized model's) files as the engine saves them. */
  saveModel: method(
    1,
    (context, [handle]: [ModelHandle | QuantizedModelHandle]): SavedModel =>
      runnable(context, handle).files(),
  ),

  /** The engine's plan presets, by name. */
  planPresets: method(
    0,
    (context, []: []): PlanPreset[] =>
      context.engine.planPresets() as PlanPreset[],
  ),

  /** A preset as a plan object (every field filled in), to edit or save as a plan file. */
  presetPlan: method(
    1,
    (context, [name]: [PlanPreset]): Plan =>
      JSON.parse(
        wrapEngineError(() => context.engine.presetPlan(name), "InvalidPlan"),
      ) as Plan,
  ),

  /**
   * Calibrates on `calibration` (training-split images, default the first 512, min-max) and
   * quantizes the model with `plan` (default "int8"); the result runs on the integer kernels.
   * An impossible plan rejects with InvalidPlan naming the layer and field. Progress after each
   * calibration batch; aborting stops at the next one.
   */
  quantizeModel: method(
    2,
    (
      context,
      [handle, calibration]: [ModelHandle, Images],
      {
        plan = "int8",
        calibration: calibrationOptions = {},
      }: Partial<QuantizeOptions>,
    ): QuantizedModelHandle =>
      quantizedHandle(
        context,
        quantizeModel(
          model(context, handle),
          calibration,
          plan,
          calibrationOptions,
          ({ done, total }) => {
            context.progress({ done, total });
            return !context.aborted();
          },
        ),
      ),
  ),

  /**
   * Every calibration observer on the input of every Linear/Conv2d layer over the first
   * `samples` images, in one run of the FP32 model: each input's histogram (docs/quantization.md
   * §11.1) with each observer's 8-bit range, the fraction it clips and the KL divergence of the
   * quantized distribution (Eqs. 50–51). Progress per batch; aborting stops at the next batch.
   */
  activationHistograms: method(
    2,
    (
      context,
      [handle, images]: [ModelHandle, Images],
      { samples = 512, percentile }: Partial<ActivationHistogramOptions>,
    ): LayerActivations[] => {
      const target = rawModelOf(model(context, handle));
      return context.engine.activationHistograms(
        target.handle,
        images.images,
        imageSizeOf(images),
        JSON.stringify({ samples, percentile }),
        (done, total) => {
          context.progress({ done, total });
          return !context.aborted();
        },
      );
    },
  ),

  /** A quantized model from its files (InvalidModel if rejected). */
  loadQuantizedModel: method(
    1,
    (context, [files]: [ModelFiles]): QuantizedModelHandle =>
      quantizedHandle(context, loadQuantizedModel(files, context.engine)),
  ),

  /**
   * FP32 against each plan on `test` (calibrating static plans on `calibration`, which should
   * come from the training split): the report of docs/report.md. Progress per batch (detail:
   * the stage); aborting stops at the next batch.
   */
  report: method(
    3,
    (
      context: MethodContext<ReportProgress>,
      [handle, test, calibration]: [ModelHandle, LabelledImages, Images],
      {
        plans = [...DEFAULT_REPORT_PLANS],
        calibration: calibrationOptions = {},
        speedRounds = 5,
        machine,
        command,
        int4Methods = false,
        validation,
        validationCount = 0,
        searchBudget,
      }: Partial<ReportOptions>,
    ): Report => {
      const target = rawModelOf(model(context, handle));
      const options = JSON.stringify({
        plans: plans.map((p) => JSON.parse(planJson(p)) as unknown),
        calibration: calibrationOptions,
        speedRounds,
        machine,
        command,
        int4Methods,
        validation: validation === undefined ? 0 : validationCount,
        searchBudget,
      });
      const json = wrapEngineError(
        () =>
          context.engine.report(
            target.handle,
            test.images,
            test.labels,
            calibration.images,
            validation?.images ?? new Uint8Array(),
            validation?.labels ?? new Uint8Array(),
            imageSizeOf(test),
            options,
            stageProgress(context),
          ),
        "InvalidPlan",
      );
      return JSON.parse(json) as Report;
    },
  ),

  /** Loads a transformer language model from its manifest.json and model.safetensors. */
  loadLanguageModel: method(
    1,
    async (context, [files]: [ModelFiles]): Promise<LanguageModelHandle> => {
      const loaded = await loadLanguageModel(files, context.engine);
      const { manifest } = loaded;
      return context.handles.add(
        (id) => ({ kind: "language-model", id, manifest }),
        loaded,
      );
    },
  ),

  /**
   * Continues `prompt` under each plan (default fp32, int8, w4a8) with the same seed: text,
   * tokens per second and, for every plan after the first, the KL of each token's distribution
   * from the first plan's along the same text. Static plans and GPTQ calibrate on
   * `calibrationText` (training-split text) once per plan; later calls reuse them.
   */
  generateText: method(
    3,
    (
      context,
      [handle, prompt, calibrationText]: [LanguageModelHandle, string, string],
      options: Partial<GenerateOptions>,
    ): GenerateResult =>
      wrapEngineError(
        () =>
          languageModel(context, handle).generate(
            String(prompt),
            String(calibrationText),
            options,
          ),
        "InvalidPlan",
      ),
  ),

  /**
   * FP32 and each plan (default int8, int4-g32, w4a8, gptq-int4-g32) on test text: perplexity,
   * KL mean and 99th percentile, top-1 agreement, prefill and generation tokens per second, and
   * the report as Markdown; progress per stage, abort between steps.
   */
  languageModelReport: method(
    3,
    (
      context: MethodContext<ReportProgress>,
      [handle, testText, calibrationText]: [
        LanguageModelHandle,
        string,
        string,
      ],
      options: Partial<LanguageModelReportOptions>,
    ): LanguageModelReport =>
      wrapEngineError(
        () =>
          languageModel(context, handle).report(
            String(testText),
            String(calibrationText),
            options,
            stageProgress(context),
          ),
        "InvalidPlan",
      ),
  ),

  /**
   * Per-layer sensitivity and the mixed-precision search on training-split images (the last
   * `validation` decide, the first calibrate): the Pareto front of size vs accuracy and the
   * plan chosen within `budget`. Progress per plan measured; aborting stops between plans.
   */
  search: method(
    2,
    (
      context: MethodContext<ReportProgress>,
      [handle, train]: [ModelHandle, LabelledImages],
      {
        budget = "5bpw",
        validation = 5000,
        calibration: calibrationOptions = {},
      }: Partial<SearchOptions>,
    ): SearchResult => {
      const target = rawModelOf(model(context, handle));
      const raw = wrapEngineError(
        () =>
          context.engine.search(
            target.handle,
            train.images,
            train.labels,
            imageSizeOf(train),
            JSON.stringify({
              budget,
              validation: Math.min(validation, train.labels.length - 1),
              calibration: calibrationOptions,
            }),
            (p) => {
              context.progress({
                done: p.done,
                total: p.total,
                detail: { stage: p.stage },
                message: `${p.done} plans measured`,
              });
              return !context.aborted();
            },
          ),
        "InvalidPlan",
      );
      return {
        search: JSON.parse(raw.search) as SearchResult["search"],
        sensitivity: JSON.parse(raw.sensitivity) as SearchResult["sensitivity"],
        chosenPlan: JSON.parse(raw.chosenPlan) as Plan,
        budgetMet: raw.budgetMet,
        markdown: raw.markdown,
      };
    },
  ),

  /**
   * Quantization-aware training: fine-tunes a copy of the model through fake quantization of
   * the plan (straight-through estimator; LSQ and learned bit-widths on request) on labelled
   * training images, and returns it as a quantized model on the integer kernels. Progress after
   * every batch (loss, accuracy, scales); aborting stops after the current batch and rejects
   * with Aborted, freeing the partial model (the model given is never changed).
   */
  qat: method(
    2,
    (
      context: MethodContext<QatProgress>,
      [handle, train]: [ModelHandle, LabelledImages],
      { plan = "w4a8", ...options }: Partial<QatOptions>,
    ): QatResult => {
      const target = rawModelOf(model(context, handle));
      const outcome = wrapEngineError(
        () =>
          context.engine.qat(
            target.handle,
            train.images,
            train.labels,
            imageSizeOf(train),
            planJson(plan),
            JSON.stringify(options),
            (p) => {
              context.progress({
                done: (p.epoch - 1) * p.batches + p.batch,
                total: p.epochs * p.batches,
                detail: p,
              });
              return !context.aborted();
            },
          ),
        "InvalidPlan",
      );
      const { model: raw, ...summary } = outcome;
      return {
        model: quantizedHandle(
          context,
          wrapQuantizedModel(raw, context.engine),
        ),
        ...summary,
      };
    },
  ),

  /** A report as Markdown: the seed comparison table first, then the details. */
  reportMarkdown: method(1, (context, [report]: [Report]): string =>
    context.engine.reportMarkdown(JSON.stringify(report)),
  ),

  /** A report as CSV, one row per plan (FP32 first). */
  reportCsv: method(1, (context, [report]: [Report]): string =>
    context.engine.reportCsv(JSON.stringify(report)),
  ),

  /**
   * What changed from `base` to `next`, row by row (docs/report.md, "Comparing reports and the
   * gate"): accuracy with McNemar's exact test when both were measured on the same test images,
   * decay, agreement, KL, size and speedup ratios; and the gate under the given thresholds
   * (gate.passed). Rejects (InvalidArgument) what is not a version-1 report.
   */
  compareReports: method(
    2,
    (
      context,
      [base, next]: [Report, Report],
      thresholds: Partial<GateThresholds>,
    ): ReportComparison =>
      JSON.parse(
        wrapEngineError(
          () =>
            context.engine.compareReports(
              JSON.stringify(base),
              JSON.stringify(next),
              JSON.stringify(thresholds),
            ),
          "InvalidArgument",
        ),
      ) as ReportComparison,
  ),

  /**
   * The 95% interval [low, high] of an accuracy of `correct` out of `count` (Wilson score, as
   * every report row's accuracy_interval; docs/report.md), for results counted outside a report.
   */
  accuracyInterval: method(
    2,
    (context, [correct, count]: [number, number]): [number, number] =>
      wrapEngineError(
        () => context.engine.accuracyInterval(correct, count),
        "InvalidArgument",
      ),
  ),

  /** A comparison as Markdown: the sources, a row per plan, then the gate's verdict. */
  comparisonMarkdown: method(
    1,
    (context, [comparison]: [ReportComparison]): string =>
      context.engine.comparisonMarkdown(JSON.stringify(comparison)),
  ),

  /** The gate's verdict in a few lines ("quantlab gate: passed ..." or "... FAILED ..."). */
  gateSummary: method(1, (context, [comparison]: [ReportComparison]): string =>
    context.engine.gateSummary(JSON.stringify(comparison)),
  ),

  /** Frees the engine memory behind a handle; the handle cannot be used afterwards. */
  dispose: method(1, (context, [handle]: [Handle]): void =>
    context.handles.delete(handle),
  ),

  /**
   * The SIMD kernels the engine runs: "relaxed-simd" where this JavaScript engine accepts relaxed
   * SIMD (the `relaxedSimd` option), else "simd128". Results are the same either way.
   */
  simdKernels: method(0, (context, []: []): SimdKernels =>
    context.engine.simdKernels(),
  ),

  /**
   * The engine this instance loaded: its thread count, which build ("threads" or "single") and
   * why (e.g. "1 thread instead of 2: this page is not cross-origin isolated ...").
   */
  info: method(0, (context, []: []): ThreadsInfo =>
    engineThreads(context.engine),
  ),

  /** The engine's memory and live handles, to watch for leaks. */
  memoryUsage: method(0, (context, []: []): MemoryUsage => ({
    wasmBytes: engineMemoryBytes(context.engine),
    handles: context.handles.size,
  })),

  /** Parses an IDX images file and its labels file (each raw or gzipped). */
  parseIdxDataset: method(
    2,
    (
      context,
      [images, labels]: [Uint8Array, Uint8Array],
    ): Promise<IdxDataset> => parseIdxDataset(images, labels, context.engine),
  ),

  /** quantize, dequantize and compare in one call (Engine.roundTrip). */
  roundTrip: method(
    3,
    (
      context,
      [values, shape, scheme]: [FloatInput, Shape, QuantSchemeOptions],
    ) => context.tensors.roundTrip(values, shape, scheme),
  ),
  /** Quantizes with min-max parameters per tensor, channel or group. */
  quantize: method(
    3,
    (
      context,
      [values, shape, scheme]: [FloatInput, Shape, QuantSchemeOptions],
    ) => context.tensors.quantize(values, shape, scheme),
  ),
  /** The real values a quantized tensor stands for. */
  dequantize: method(1, (context, [quantized]: [QuantizedTensor]) =>
    context.tensors.dequantize(quantized),
  ),
  /** Error statistics of an approximation against a reference. */
  errorStats: method(
    2,
    (context, [reference, approx]: [FloatInput, FloatInput]) =>
      context.tensors.errorStats(reference, approx),
  ),
  /** Storage of a quantized tensor, scales and zero points included. */
  storageBits: method(1, (context, [quantized]: [QuantizedTensor]) =>
    context.tensors.storageBits(quantized),
  ),
  /** For each element, the index of its scale and zero point. */
  paramIndices: method(1, (context, [quantized]: [QuantizedTensor]) =>
    context.tensors.paramIndices(quantized),
  ),
  /** The integer range [qmin, qmax] of a bit width. */
  intRange: method(2, (context, [bits, symmetric]: [Bits, boolean]) =>
    context.tensors.intRange(bits, symmetric),
  ),
  /** Rejects (InvalidArgument) a scheme that cannot quantize a tensor of `shape`. */
  validateScheme: method(
    2,
    (context, [scheme, shape]: [QuantSchemeOptions, Shape]) =>
      context.tensors.validateScheme(scheme, shape),
  ),
  /** A short name such as "int4 sym per_group(32)". */
  schemeName: method(1, (context, [scheme]: [QuantSchemeOptions]) =>
    context.tensors.schemeName(scheme),
  ),
  /** The engine's default scheme (what omitted scheme options become). */
  defaultScheme: method(0, (context, []: []) => context.tensors.defaultScheme),
  /** Round trip of each scheme on the same values; progress after each scheme. */
  compareSchemes: method(
    3,
    async (
      context,
      [values, shape, schemes]: [
        FloatInput,
        Shape,
        readonly QuantSchemeOptions[],
      ],
    ): Promise<SchemeComparison[]> =>
      compareSchemes(context.tensors, values, shape, schemes, context.progress),
  ),
};

/** The methods' names and declarations. */
export type Methods = typeof methods;

// Engine errors with the code bad input of this kind deserves (InvalidPlan, InvalidModel, ...).
function wrapEngineError<T>(work: () => T, invalidInput: ErrorCode): T {
  try {
    return work();
  } catch (error) {
    throw toQuantLabError(error, invalidInput);
  }
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw invalidArgument(
      `batchSize must be a positive integer (got ${batchSize})`,
    );
}

function pixelsPerImage(
  handle: ModelHandle | QuantizedModelHandle,
  data: Images,
): number {
  const size = imageSizeOf(data);
  if (size !== null) return size.rows * size.cols;
  return handle.manifest.input.shape.reduce((a, b) => a * b, 1);
}
