// The transformer language model (engine/bindings/language_model.cpp): loading its files,
// generating under several plans side by side, and the LM report. The engine object stays behind
// a handle (methods.ts); these are the calls on it and their public types.
import type {
  RawEngineModule,
  RawLanguageModel,
  RawReportProgress,
} from "../engine-module.js";
import { invalidArgument, toQuantLabError } from "../errors.js";
import { loadRawModule } from "../loader/load.js";
import type { ModelFiles } from "./model.js";
import type { Plan, PlanPreset } from "../quantization/types.js";

/** manifest.json of a language model (docs/language-model.md). */
export interface LanguageModelManifest {
  format: "quantlab-lm";
  version: 1;
  name: string;
  dataset: string;
  /** Character tokenizer: id 0 is unknown, id i + 1 is the byte alphabet[i]. */
  tokenizer: { kind: "characters"; alphabet: number[] };
  config: {
    vocab: number;
    context: number;
    width: number;
    heads: number;
    layers: number;
    hidden: number;
    epsilon: number;
  };
  recipe: Record<string, unknown>;
  /** test_perplexity, validation_perplexity, train_seconds, parameters, ... */
  metrics: Record<string, number>;
}

/** A plan for a language model: a preset, GPTQ's "gptq-int4-g32", or a plan object. */
export type LanguageModelPlanSpec = PlanPreset | "gptq-int4-g32" | Plan;

export interface GenerateOptions {
  /** Plans, side by side; the first is the reference of the others' per-token KL. Default fp32, int8, w4a8. */
  plans: LanguageModelPlanSpec[];
  /** New tokens (characters). Default 120. */
  tokens: number;
  /** Sampling temperature; 0 is greedy. Default 0.8. */
  temperature: number;
  /** Seed of the sampler: the same seed gives the same text. Default 1. */
  seed: number;
  /** Windows of the calibration text read to calibrate static plans and GPTQ. Default 64. */
  calibrationWindows: number;
}

export const DEFAULT_GENERATE_PLANS: readonly LanguageModelPlanSpec[] = [
  "fp32",
  "int8",
  "w4a8",
];

/** One plan's continuation. */
export interface Continuation {
  plan: string;
  text: string;
  tokens: number[];
  bitsPerWeight: number;
  weightBytes: number;
  prefillMs: number;
  /** Time of every token after the first. */
  generateMs: number;
  tokensPerSecond: number;
  /** KL(P_first plan ‖ P_this plan) in nats at each token of this text; null for the first plan. */
  kl: number[] | null;
}

export interface GenerateResult {
  continuations: Continuation[];
}

export interface LanguageModelReportOptions {
  /** Default int8, int4-g32, w4a8, gptq-int4-g32. */
  plans: LanguageModelPlanSpec[];
  /** Test tokens scored (whole windows). Default 16384. */
  tokens: number;
  calibrationWindows: number;
  /** Speed rounds (medians; every plan timed in each round). Default 5. */
  speedRounds: number;
}

export interface LanguageModelReportRow {
  plan: string;
  bitsPerWeight: number;
  weightBytes: number;
  perplexity: number;
  klMean: number;
  klP99: number;
  top1Agreement: number;
  prefillTokensPerSecond: number;
  generateTokensPerSecond: number;
}

export interface LanguageModelReport {
  markdown: string;
  tokens: number;
  /** FP32 first. */
  rows: LanguageModelReportRow[];
}

/** A language model in the engine. */
export interface LanguageModel {
  readonly manifest: LanguageModelManifest;
  generate(
    prompt: string,
    calibrationText: string,
    options: Partial<GenerateOptions>,
  ): GenerateResult;
  report(
    testText: string,
    calibrationText: string,
    options: Partial<LanguageModelReportOptions>,
    onProgress: (progress: RawReportProgress) => boolean,
  ): LanguageModelReport;
  dispose(): void;
}

function checkPlans(plans: readonly LanguageModelPlanSpec[]): void {
  if (!Array.isArray(plans) || plans.length === 0)
    throw invalidArgument("plans must be a non-empty list of plans");
}

function wrap(raw: RawLanguageModel): LanguageModel {
  let live: RawLanguageModel | undefined = raw;
  const use = (): RawLanguageModel => {
    if (live === undefined)
      throw invalidArgument("this language model was disposed");
    return live;
  };
  return {
    manifest: JSON.parse(raw.manifestJson()) as LanguageModelManifest,
    generate(prompt, calibrationText, options) {
      const plans = options.plans ?? [...DEFAULT_GENERATE_PLANS];
      checkPlans(plans);
      return JSON.parse(
        use().generate(
          prompt,
          calibrationText,
          JSON.stringify({ ...options, plans }),
        ),
      ) as GenerateResult;
    },
    report(testText, calibrationText, options, onProgress) {
      if (options.plans !== undefined) checkPlans(options.plans);
      return JSON.parse(
        use().report(
          testText,
          calibrationText,
          JSON.stringify(options),
          onProgress,
        ),
      ) as LanguageModelReport;
    },
    dispose() {
      live?.delete();
      live = undefined;
    },
  };
}

/** A language model from its files; a file the engine rejects gives an InvalidModel error. */
export async function loadLanguageModel(
  files: ModelFiles,
  engine?: RawEngineModule,
): Promise<LanguageModel> {
  const raw = engine ?? (await loadRawModule());
  const manifest =
    typeof files.manifest === "string"
      ? new TextEncoder().encode(files.manifest)
      : files.manifest;
  try {
    return wrap(raw.loadLanguageModel(manifest, files.weights));
  } catch (error) {
    throw toQuantLabError(error, "InvalidModel");
  }
}
