// Plans, calibration options and the report, as the engine reads and writes them (JSON field
// names as in docs/plans.md and docs/report.md, so a plan file and a report file are these
// objects as they are).

import type { RawLayerActivations, RawQatProgress } from "../engine-module.js";
import type { LabelledImages } from "../models/model.js";

/** The engine's named plans (docs/plans.md). */
export type PlanPreset =
  "fp32" | "int8" | "int8-dynamic" | "int4-g32" | "int4-tensor" | "w4a8";

/** How one Linear/Conv2d layer is quantized; every field is optional in a plan. */
export interface LayerPlan {
  weights: "fp32" | "int8" | "int4";
  granularity: "per_tensor" | "per_channel" | "per_group";
  /** per_group: values per group along the reduction dimension (a multiple of 8). */
  group_size: number;
  /** Zero point fixed at 0 (true) or chosen per scale. */
  symmetric: boolean;
  /** fp32: weight-only; int8-static: calibrated; int8-dynamic: per row at run time. */
  activations: "fp32" | "int8-static" | "int8-dynamic";
  /** Weight ranges from min-max or the MSE-optimal clipping search. */
  weight_range: "minmax" | "mse";
  /** Round to nearest, or GPTQ's column-by-column rounding with error feedback. */
  method: "rtn" | "gptq";
  /** GPTQ: dampening as a fraction of the Hessian's mean diagonal, in (0, 1]. */
  gptq_damp: number;
  /** GPTQ: quantize columns in order of decreasing Hessian diagonal. */
  gptq_act_order: boolean;
  /** Subtract the calibration set's mean output shift from the bias (Eq. 26). */
  bias_correction: boolean;
}

/** A quantization plan: the default for every layer, and overrides by layer name. */
export interface Plan {
  format?: "quantlab-plan";
  version?: 1;
  name?: string;
  default?: Partial<LayerPlan>;
  layers?: Record<string, Partial<LayerPlan>>;
}

/** A preset's name or a plan. */
export type PlanSpec = PlanPreset | Plan;

/** Activation calibration (docs/quantization.md §11). */
export interface CalibrationOptions {
  /** Observer. Default "minmax". */
  method: "minmax" | "moving_average_minmax" | "percentile" | "mse" | "entropy";
  /** percentile: in (50, 100]. Default 99.99. */
  percentile: number;
  /** Calibration images used (from the front of the calibration set). Default 512. */
  samples: number;
}

/** Speed of one model in a report (ms; speedups are FP32's time over this one's). */
export interface ReportSpeed {
  batch1_ms: number;
  batch_ms: number;
  images_per_second: number;
  speedup_batch1: number;
  speedup_batch: number;
}

/** One row of a report: FP32 (fp32) or a plan (plans[]). */
export interface ReportRow {
  name: string;
  accuracy: number;
  correct: number;
  /** Wilson 95% interval of the accuracy. */
  accuracy_interval: [number, number];
  /** Bytes of codes, scales, zero points and FP32 parameters (Eq. 10). */
  weight_bytes: number;
  bits_per_weight: number;
  /** Absent when the report was made without speed measurement. */
  speed?: ReportSpeed;
  /**
   * Top-1 class of every test image in test-set order, one byte each, base64. Absent in
   * reports written before it was added.
   */
  predictions?: string;
}

/** A plan's row: its comparison with FP32 on the same test images. */
export interface ReportPlanRow extends ReportRow {
  plan: Plan;
  /** FP32 accuracy minus this plan's, in points. */
  decay_points: number;
  /** Fraction of test images with FP32's top-1 class. */
  agreement: number;
  /** Test images whose top-1 class differs from FP32's. */
  flips: number;
  mcnemar: {
    fp32_only_correct: number;
    plan_only_correct: number;
    p_value: number;
  };
  logits_mse: number;
  /** null: identical outputs. */
  output_sqnr_db: number | null;
  cosine: number;
  /** Mean KL(softmax(FP32) ‖ softmax(plan)) in nats. */
  kl_mean: number;
  size_vs_fp32: number;
  calibration_samples: number;
  layers: { name: string; kind: string; sqnr_db: number | null }[];
}

/** The FP32-vs-quantized report, schema "quantlab-report" version 1 (docs/report.md). */
export interface Report {
  format: "quantlab-report";
  version: 1;
  model: { name: string; dataset: string; weights: number; parameters: number };
  test_examples: number;
  calibration: {
    method: string;
    percentile: number;
    samples: number;
    source: string;
  };
  layer_error_examples: number;
  speed: { rounds: number; single_images: number; batch_size: number } | null;
  machine: string;
  command: string;
  /** The engine that measured it (equals the npm package's version). */
  engine_version?: string;
  /** SHA-256 (hex) of the canonical serialized FP32 model (docs/report.md). */
  model_sha256?: string;
  /** SHA-256 (hex) of the test labels and network inputs. */
  dataset_sha256?: string;
  /** The test labels, one byte each, base64. */
  test_labels?: string;
  /**
   * When it was made (ISO 8601, UTC). The lab's Compare writes it; the engine writes no date
   * and ignores the field (docs/report.md).
   */
  created?: string;
  fp32: ReportRow;
  plans: ReportPlanRow[];
}

/** Options of report. */
export interface ReportOptions {
  /** Plans compared with FP32. Default: int8, int8-dynamic, int4-g32, int4-tensor, w4a8. */
  plans: PlanSpec[];
  /** Activation calibration for static plans. Default: min-max over 512 images. */
  calibration: Partial<CalibrationOptions>;
  /** Timed rounds for the speed columns; 0 skips timing. Default 5. */
  speedRounds: number;
  /** Where it ran, printed in the report. Default "wasm simd128, one thread" or "wasm relaxed-simd, one thread" (the kernels that ran). */
  machine: string;
  /** How it was run, printed in the report. */
  command: string;
  /** Add symmetric INT4 per-channel/per-tensor rows as RTN, GPTQ and with bias correction. */
  int4Methods: boolean;
  /**
   * Images of the training split (not the calibration ones) for the sensitivity table and the
   * search; `validationCount` of them, from the end, are used. Both or neither.
   */
  validation: LabelledImages;
  validationCount: number;
  /** With a validation slice: search a mixed plan within this budget ("5bpw", "300KB", "91.5%"). */
  searchBudget: string;
}

/** Options of activationHistograms. */
export interface ActivationHistogramOptions {
  /** Images from the front of the set to run (as calibration takes them). Default 512. */
  samples: number;
  /** The percentile observer's p, in (50, 100]. Default 99.99. */
  percentile: number;
}

/** A layer's input histogram and each observer's range on it (the engine's record). */
export type LayerActivations = RawLayerActivations;

/** Options of search. */
export interface SearchOptions {
  /** "5bpw" (bits per weight, scales counted), "300KB", "1.2MB", or "91.5%" (accuracy floor). */
  budget: string;
  /** Training-split images at the end of the set to decide on. Default 5000 (at most the set less one). */
  validation: number;
  /** Calibration of static layers and GPTQ, from the front of the set. */
  calibration: Partial<CalibrationOptions>;
}

/** The search's result: the Pareto front and the chosen plan (docs/report.md, `search`). */
export interface SearchResult {
  search: {
    budget: string;
    budget_met: boolean;
    plans: {
      name: string;
      stage: string;
      weight_bytes: number;
      bits_per_weight: number;
      accuracy: number;
      drop_points: number;
      predicted_drop_points: number;
      kl_mean: number;
      output_sqnr_db: number | null;
      plan: Plan;
    }[];
    front: number[];
    chosen: number;
    [field: string]: unknown;
  };
  sensitivity: {
    validation_examples: number;
    fp32_accuracy: number;
    rows: {
      layer: string;
      choice: string;
      accuracy_drop_points: number;
      kl_mean: number;
      output_sqnr_db: number | null;
      bytes: number;
      bytes_saved: number;
    }[];
    [field: string]: unknown;
  };
  chosenPlan: Plan;
  budgetMet: boolean;
  markdown: string;
}

/** Options of quantizeModel. */
export interface QuantizeOptions {
  /** Default "int8". */
  plan: PlanSpec;
  calibration: Partial<CalibrationOptions>;
}

/** Progress detail of report: the stage, e.g. "int8: test set". */
export interface ReportProgress {
  stage: string;
}

/** The report's default plans (what `quantlab report` compares). */
export const DEFAULT_REPORT_PLANS: readonly PlanPreset[] = [
  "int8",
  "int8-dynamic",
  "int4-g32",
  "int4-tensor",
  "w4a8",
];

/** Options of qat (quantization-aware training); defaults as the engine's QatConfig. */
export interface QatOptions {
  /** The plan trained for. Default "w4a8". */
  plan: PlanSpec;
  /** Epochs over the training images. Default 1. */
  epochs: number;
  /** Default 64. */
  batchSize: number;
  /** Examples per epoch, in shuffled order (0: all). Default 0. */
  examplesPerEpoch: number;
  /** Adam's learning rate for the weights (cosine schedule). Default 1e-4. */
  learningRate: number;
  /** LSQ: learned step sizes (and LSQ+ offsets for static activations). Default false. */
  lsq: boolean;
  /** Learn each layer's precision (FP32/INT8/INT4) under budgetBits. Default false. */
  learnBits: boolean;
  /** Bits per weight the learned precisions must meet. Default 5. */
  budgetBits: number;
  /** Calibration images (from the front of the training images). Default 512. */
  calibrationSamples: number;
  /** Default 1. */
  seed: number;
}

/** Progress detail of qat, after every batch (the engine's record, engine-module.ts). */
export type QatProgress = RawQatProgress;
