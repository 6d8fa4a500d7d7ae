// Two reports compared, and the regression gate (docs/report.md, "Comparing reports and the
// gate"): the objects compareReports returns, field names as the engine writes them.

/** The gate's thresholds; an omitted one is not checked. Rows are matched by name. */
export interface GateThresholds {
  /** Every plan of the new report: decay vs its own FP32, in points, at most this. */
  maxDecay: number;
  /** Every row in both: new weight_bytes ÷ the baseline's, at most this. */
  maxSize: number;
  /**
   * Every plan in both: new speedup_batch ÷ the baseline's (each FP32's time over the plan's in
   * its own run, batch 256), at least this. A report without speed fails it.
   */
  minSpeedup: number;
  /** Paired rows fail when less accurate with McNemar's exact p below this. Default 0.05. */
  alpha: number;
}

/** Where a compared report came from (null: the report predates the field). */
export interface ComparisonSource {
  model: string;
  dataset: string;
  engine_version: string | null;
  model_sha256: string | null;
  dataset_sha256: string | null;
  machine: string | null;
  command: string | null;
  test_examples: number;
  timed: boolean;
}

/** One row's figures in one report (null where the row has none, e.g. FP32's decay). */
export interface ComparisonSide {
  accuracy: number;
  decay_points: number | null;
  agreement: number | null;
  kl_mean: number | null;
  weight_bytes: number;
  bits_per_weight: number;
  speedup_batch: number | null;
  speedup_batch1: number | null;
}

/** McNemar's exact test on the two reports' predictions of the same images. */
export interface PairedPredictions {
  /** Images only the baseline got right (b). */
  base_only_correct: number;
  /** Images only the new report got right (c). */
  new_only_correct: number;
  p_value: number;
  /** Fraction of images both predict the same class for. */
  agreement: number;
}

export type ComparisonVerdict =
  | "significantly worse"
  | "significantly better"
  | "within noise"
  | "not paired"
  | "new plan";

/** A row (FP32 or a plan) of the new report against the baseline's row of the same name. */
export interface ComparisonRow {
  name: string;
  /** null: the baseline has no row of this name (verdict "new plan"; no changes then). */
  base: ComparisonSide | null;
  new: ComparisonSide;
  plan_changed?: boolean;
  /** New accuracy − baseline accuracy, in points. */
  accuracy_change_points?: number;
  decay_change_points?: number | null;
  agreement_change?: number | null;
  kl_change?: number | null;
  /** New weight_bytes ÷ the baseline's. */
  size_ratio?: number;
  /** New speedup ÷ the baseline's; null when a report was not timed. */
  speedup_ratio_batch?: number | null;
  speedup_ratio_batch1?: number | null;
  /** null when the predictions do not pair (another test set, or a report without them). */
  paired?: PairedPredictions | null;
  verdict: ComparisonVerdict;
}

export interface GateFailure {
  plan: string;
  check:
    | "max_decay_points"
    | "max_size_ratio"
    | "min_speedup_ratio"
    | "significance";
  /** The measured value (null: it could not be measured). */
  value: number | null;
  limit: number;
  /** A readable sentence, e.g. "int8: decay 1.20 points vs FP32 exceeds the maximum 0.30 (--max-decay)". */
  message: string;
}

/** A comparison of two reports, format "quantlab-comparison" version 1 (docs/report.md). */
export interface ReportComparison {
  format: "quantlab-comparison";
  version: 1;
  base: ComparisonSource;
  new: ComparisonSource;
  /** null: a report has no model hash. */
  same_model: boolean | null;
  same_dataset: boolean | null;
  /** Whether predictions pair image by image (same test set, both carry them). */
  paired: boolean;
  /** The new report's rows, FP32 first. */
  rows: ComparisonRow[];
  /** Rows only the baseline has. */
  only_in_base: string[];
  gate: {
    thresholds: {
      max_decay_points: number | null;
      max_size_ratio: number | null;
      min_speedup_ratio: number | null;
      alpha: number;
    };
    checks: number;
    failures: GateFailure[];
    passed: boolean;
  };
}
