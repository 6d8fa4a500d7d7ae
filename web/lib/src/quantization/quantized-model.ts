// Quantized models in this thread: quantize a loaded model with a plan, or load a quantized
// model's files; the result evaluates, classifies and saves like a Model, on the integer kernels.
import type { RawEngineModule, RawQuantizedModel } from "../engine-module.js";
import { invalidArgument, toQuantLabError } from "../errors.js";
import {
  imageSizeOf,
  rawModelOf,
  runnableCalls,
  type Evaluation,
  type Images,
  type LabelledImages,
  type Model,
  type ModelFiles,
  type ModelManifest,
} from "../models/model.js";
import type { CalibrationOptions, Plan, PlanSpec } from "./types.js";

/** A quantized model in this thread's engine. */
export interface QuantizedModel {
  /** The inference-form model's manifest with the quantization it carries. */
  readonly manifest: ModelManifest & {
    quantization: { plan: Plan; calibration: Record<string, unknown> };
  };
  /** The plan, every field filled in. */
  readonly plan: Plan;
  /** Bytes of codes, scales, zero points and FP32 parameters (Eq. 10). */
  readonly weightBytes: number;
  readonly bitsPerWeight: number;
  evaluate(data: LabelledImages): Evaluation;
  classify(images: Uint8Array | Images): Int32Array;
  /** Logits of each image on the integer kernels: [images, classes]. */
  logits(images: Images): { output: Float32Array; shape: Uint32Array };
  /** The two files of the quantized model (docs/quantized-model-format.md). */
  files(): { manifestJson: string; weights: Uint8Array };
  dispose(): void;
}

/** A QuantizedModel owning `raw` (freed by its dispose()). */
export function wrapQuantizedModel(
  raw: RawQuantizedModel,
  engine: RawEngineModule,
): QuantizedModel {
  let live: RawQuantizedModel | undefined = raw;
  const use = (): RawQuantizedModel => {
    if (live === undefined)
      throw invalidArgument("this quantized model was disposed");
    return live;
  };
  return {
    manifest: JSON.parse(raw.manifestJson()) as QuantizedModel["manifest"],
    plan: JSON.parse(raw.planJson()) as Plan,
    weightBytes: raw.weightBytes(),
    bitsPerWeight: raw.bitsPerWeight(),
    ...runnableCalls(use),
    logits: (images) =>
      engine.quantizedLogits(use(), images.images, imageSizeOf(images)),
    dispose() {
      live?.delete();
      live = undefined;
    },
  };
}

/** The engine's form of a plan argument: a preset name or a plan object, as JSON text. */
export function planJson(plan: PlanSpec): string {
  if (typeof plan !== "string" && (typeof plan !== "object" || plan === null))
    throw invalidArgument(
      `a plan is a preset name or a plan object (got ${String(plan)})`,
    );
  return JSON.stringify(plan);
}

/** Calibrates `model` on `calibration` (training-split images), then quantizes it with `plan`. */
export function quantizeModel(
  model: Model,
  calibration: Images,
  plan: PlanSpec,
  options: Partial<CalibrationOptions>,
  onProgress: (progress: { done: number; total: number }) => boolean = () =>
    true,
): QuantizedModel {
  const { handle, engine } = rawModelOf(model);
  const text = planJson(plan);
  try {
    return wrapQuantizedModel(
      engine.quantizeModel(
        handle,
        text,
        calibration.images,
        imageSizeOf(calibration),
        JSON.stringify(options),
        onProgress,
      ),
      engine,
    );
  } catch (error) {
    throw toQuantLabError(error, "InvalidPlan");
  }
}

/** A quantized model from its two files; a file the engine rejects gives InvalidModel. */
export function loadQuantizedModel(
  files: ModelFiles,
  engine: RawEngineModule,
): QuantizedModel {
  const manifest =
    typeof files.manifest === "string"
      ? new TextEncoder().encode(files.manifest)
      : files.manifest;
  try {
    return wrapQuantizedModel(
      engine.loadQuantizedModel(manifest, files.weights),
      engine,
    );
  } catch (error) {
    throw toQuantLabError(error, "InvalidModel");
  }
}
