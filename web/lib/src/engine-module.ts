// The one typing of the Embind module that engine/bindings/*.cpp export. ENGINE_MODULE_EXPORTS
// names every export at run time, so tests/web/engine-module.test.ts can compare it with what
// the built module really registers: a binding added, renamed or removed without this file
// fails that test. Only the library's engine-facing files and the benchmark use this module.
import type { ErrorStats, IntRange, StorageBits } from "./types.js";

/** An Embind enum value (Module.Granularity.per_tensor, ...). */
export interface RawEnumValue {
  value: number;
}

/** An Embind class instance: its wasm memory is freed by delete(), not by the garbage collector. */
export interface RawDeletable {
  delete(): void;
}

// ---- engine/bindings/quant.cpp ----------------------------------------------------------------

export interface RawScheme {
  bits: number;
  symmetric: boolean;
  granularity: RawEnumValue;
  axis: number;
  groupSize: number;
}

export interface RawQuantizedTensor {
  shape: ArrayLike<number>;
  scheme: RawScheme;
  data: Uint8Array;
  scales: Float32Array;
  zeroPoints: Int32Array;
}

export interface RawRoundTrip {
  quantized: RawQuantizedTensor;
  restored: Float32Array;
  error: ErrorStats;
  storage: StorageBits;
}

type RawFloats = Float32Array | readonly number[];
type RawDims = readonly number[];

export interface RawQuantModule {
  Granularity: Record<"per_tensor" | "per_channel" | "per_group", RawEnumValue>;
  quantize(x: RawFloats, dims: RawDims, scheme: RawScheme): RawQuantizedTensor;
  dequantize(qt: RawQuantizedTensor): Float32Array;
  errorStats(reference: RawFloats, approx: RawFloats): ErrorStats;
  storageBits(qt: RawQuantizedTensor): StorageBits;
  roundTrip(x: RawFloats, dims: RawDims, scheme: RawScheme): RawRoundTrip;
  paramIndices(qt: RawQuantizedTensor): Uint32Array;
  intRange(bits: number, symmetric: boolean): IntRange;
  validateScheme(scheme: RawScheme, dims: RawDims): void;
  schemeName(scheme: RawScheme): string;
  defaultScheme(): RawScheme;
}

// ---- engine/bindings/models.cpp and train.cpp -------------------------------------------------

export interface RawIdxDataset {
  count: number;
  rows: number;
  cols: number;
  images: Uint8Array;
  labels: Uint8Array;
}

/** Rows and columns of each image, checked against the model input; null: flattened images. */
export type RawImageSize = { rows: number; cols: number } | null;

export interface RawEvaluation {
  correct: number;
  count: number;
}

/** What an FP32 model and a quantized model both answer. */
export interface RawRunnableModel extends RawDeletable {
  manifestJson(): string;
  weightsBytes(): Uint8Array;
  evaluate(
    images: Uint8Array,
    labels: Uint8Array,
    imageSize: RawImageSize,
  ): RawEvaluation;
  classify(images: Uint8Array, imageSize: RawImageSize): Int32Array;
}

export type RawLoadedModel = RawRunnableModel;

/** engine/bindings/train.cpp's config: every field present. */
export interface RawTrainConfig {
  optimizer: string;
  learningRate: number;
  momentum: number;
  weightDecay: number;
  epochs: number;
  batchSize: number;
  seed: number;
}

export interface RawTrainProgress {
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** 1-based within the epoch. */
  batch: number;
  batches: number;
  /** Mean loss over this epoch's batches so far. */
  loss: number;
  /** Fraction of this epoch's examples so far classified right. */
  accuracy: number;
  learningRate: number;
}

export interface RawTrainOutcome {
  model: RawLoadedModel;
  cancelled: boolean;
  epochsCompleted: number;
  loss: number;
  accuracy: number;
  seconds: number;
}

export interface RawModelsModule {
  LoadedModel: abstract new () => RawLoadedModel;
  parseIdxDataset(images: Uint8Array, labels: Uint8Array): RawIdxDataset;
  loadModel(manifestJson: Uint8Array, weights: Uint8Array): RawLoadedModel;
  trainModel(
    model: RawLoadedModel,
    images: Uint8Array,
    labels: Uint8Array,
    imageSize: RawImageSize,
    config: RawTrainConfig,
    initSeed: number | null,
    onProgress: (progress: RawTrainProgress) => boolean,
  ): RawTrainOutcome;
}

// ---- engine/bindings/run.cpp ------------------------------------------------------------------

export interface RawRunOutput {
  output: Float32Array;
  shape: Uint32Array;
}

export interface RawRunModule {
  /** input: f32 values of shape dims = [batch, ...model input shape]. */
  runModel(
    model: RawLoadedModel,
    input: Float32Array,
    dims: readonly number[],
  ): RawRunOutput;
}

// ---- engine/bindings/logits.cpp ---------------------------------------------------------------

export interface RawLogitsModule {
  /** Logits [images, classes] of u8 images on the FP32 kernels. */
  modelLogits(
    model: RawLoadedModel,
    images: Uint8Array,
    imageSize: RawImageSize,
  ): RawRunOutput;
  /** Logits [images, classes] of u8 images on the quantized model's kernels. */
  quantizedLogits(
    model: RawQuantizedModel,
    images: Uint8Array,
    imageSize: RawImageSize,
  ): RawRunOutput;
}

// ---- engine/bindings/quantization.cpp ----------------------------------------------------------

/** A quantized model in the engine (codes, scales, zero points, activation parameters). */
export interface RawQuantizedModel extends RawRunnableModel {
  weightBytes(): number;
  bitsPerWeight(): number;
  planJson(): string;
}

/** Progress of a report: the stage (e.g. "int8: test set") and its examples done. */
export interface RawReportProgress {
  stage: string;
  done: number;
  total: number;
}

/** engine/bindings/quantization.cpp's search result: JSON texts and the Markdown. */
export interface RawSearchResult {
  search: string;
  sensitivity: string;
  chosenPlan: string;
  budgetMet: boolean;
  markdown: string;
}

export interface RawQuantizationModule {
  QuantizedModel: abstract new () => RawQuantizedModel;
  planPresets(): string[];
  /** The preset's plan as plan JSON text (docs/plans.md). */
  presetPlan(name: string): string;
  /**
   * options: JSON text {plans, calibration: {method, percentile, samples}, speedRounds, machine,
   * command, int4Methods, validation, searchBudget}.
   */
  report(
    model: RawLoadedModel,
    testImages: Uint8Array,
    testLabels: Uint8Array,
    calibrationImages: Uint8Array,
    validationImages: Uint8Array,
    validationLabels: Uint8Array,
    imageSize: RawImageSize,
    optionsJson: string,
    onProgress: (progress: RawReportProgress) => boolean,
  ): string;
  /** options: JSON text {budget, validation, calibration}. */
  search(
    model: RawLoadedModel,
    trainImages: Uint8Array,
    trainLabels: Uint8Array,
    imageSize: RawImageSize,
    optionsJson: string,
    onProgress: (progress: RawReportProgress) => boolean,
  ): RawSearchResult;
  reportMarkdown(reportJson: string): string;
  reportCsv(reportJson: string): string;
  /** plan: JSON text of a preset name (a JSON string) or a plan object. */
  quantizeModel(
    model: RawLoadedModel,
    planJson: string,
    calibrationImages: Uint8Array,
    imageSize: RawImageSize,
    calibrationJson: string,
    /** After each calibration batch; false cancels (AbortError). */
    onProgress: (progress: { done: number; total: number }) => boolean,
  ): RawQuantizedModel;
  loadQuantizedModel(
    manifestJson: Uint8Array,
    weights: Uint8Array,
  ): RawQuantizedModel;
  /** calibration: JSON text {percentile, samples}; every observer method runs at once. */
  activationHistograms(
    model: RawLoadedModel,
    images: Uint8Array,
    imageSize: RawImageSize,
    calibrationJson: string,
    onProgress: (done: number, total: number) => boolean,
  ): RawLayerActivations[];
}

/** One observer's 8-bit asymmetric range for a layer's input, and what it does there. */
export interface RawObserverChoice {
  method: string;
  min: number;
  max: number;
  /** Fraction of the observed values outside [min, max] (docs/quantization.md Eq. 50). */
  clippedFraction: number;
  /** KL(observed ‖ quantized) in nats (Eq. 51). */
  kl: number;
}

/** A Linear/Conv2d layer's input over the images: its histogram (§11.1) and every observer's choice. */
export interface RawLayerActivations {
  layer: string;
  /** counts[k] values lie in [firstEdge + k·binWidth, firstEdge + (k+1)·binWidth). */
  firstEdge: number;
  binWidth: number;
  counts: Float64Array;
  /** The exact extremes. */
  min: number;
  max: number;
  ranges: RawObserverChoice[];
}

// ---- engine/bindings/compare.cpp --------------------------------------------------------------

export interface RawCompareModule {
  /** Reports as JSON text; thresholds: JSON {maxDecay?, maxSize?, minSpeedup?, alpha?}. */
  compareReports(
    baseJson: string,
    newJson: string,
    thresholdsJson: string,
  ): string;
  comparisonMarkdown(comparisonJson: string): string;
  gateSummary(comparisonJson: string): string;
}

// ---- engine/bindings/statistics.cpp -----------------------------------------------------------

export interface RawStatisticsModule {
  /** Wilson 95% interval [low, high] of correct / count; throws InvalidArgument on bad counts. */
  accuracyInterval(correct: number, count: number): [number, number];
}

// ---- engine/bindings/qat.cpp ------------------------------------------------------------------

/** One batch of quantization-aware training: the trainer's record, plus the quantizers'. */
export interface RawQatProgress extends Omit<RawTrainProgress, "learningRate"> {
  /** Learned bit-widths: expected bits per weight; else the plan's. */
  expectedBits: number;
  /** Each quantizer's mean scale by name ("<layer>.weight", "<layer>.input"). */
  scales: Record<string, number>;
}

export interface RawQatOutcome {
  model: RawQuantizedModel;
  /** True when stopped by the progress callback: the model is the one trained until then. */
  cancelled: boolean;
  epochsCompleted: number;
  /** The last epoch's mean training loss and accuracy (fake-quant forward). */
  loss: number;
  accuracy: number;
  seconds: number;
  /** 4: trained with 4-bit activations, which the integer kernels run as int8 codes. */
  activationBits: number;
  /** Learned bit-widths: each layer's choice. */
  bits: { layer: string; chosen: string; bitsPerWeight: number }[];
}

export interface RawQatModule {
  /** plan: JSON text of a preset name or a plan; options: JSON text of QatOptions' fields. */
  qat(
    model: RawLoadedModel,
    images: Uint8Array,
    labels: Uint8Array,
    imageSize: RawImageSize,
    planJson: string,
    optionsJson: string,
    onProgress: (progress: RawQatProgress) => boolean,
  ): RawQatOutcome;
}

// ---- engine/bindings/bench.cpp ----------------------------------------------------------------

export interface RawStreamReadProbe extends RawDeletable {
  bytes(): number;
  /** One pass over the buffer as 1, 2 or 4 parallel sequential streams; returns a checksum. */
  pass(streams: number): number;
}

/** One kernel call with packed weights, input and output in wasm memory. */
export interface RawBenchCall extends RawDeletable {
  run(repetitions: number): void;
  output(): Float32Array;
  weightBytes(): number;
}

/**
 * The integer kernels a bench call runs: SIMD128, relaxed SIMD (where installed) or the scalar
 * reference (which tests compare the others with).
 */
export type RawBenchKernels = "simd128" | "relaxed" | "ref";

/** NCHW convolution geometry (square kernel). */
export interface RawConvShape {
  batch: number;
  inChannels: number;
  height: number;
  width: number;
  outChannels: number;
  kernel: number;
  stride: number;
  padding: number;
}

export interface RawBenchModule {
  RooflineStreamRead: new (bytes: number) => RawStreamReadProbe;
  BenchCall: abstract new () => RawBenchCall;
  rooflineF32MulAdd(
    iterations: number,
    multiplier: number,
    addend: number,
  ): number;
  rooflineF32MulAddFlops(iterations: number): number;
  rooflineI16Dot(iterations: number, seed: number): number;
  rooflineI16DotOps(iterations: number): number;
  rooflineI16DotAdd(iterations: number, seed: number): number;
  benchMatmulF32(
    m: number,
    n: number,
    k: number,
    weights: Float32Array,
    activations: Float32Array,
  ): RawBenchCall;
  /**
   * INT8 weights against per-row dynamically quantized activations (qd8), on the relaxed-SIMD
   * kernels or the SIMD128 ones (`relaxed` needs them installed).
   */
  benchMatmulQC8W(
    m: number,
    weights: RawQuantizedTensor,
    activations: Float32Array,
    kernels: RawBenchKernels,
  ): RawBenchCall;
  /** 4-bit weights against f32 activations (W4A32) or dynamic int8 ones (W4A8). */
  benchMatmulQC4W(
    m: number,
    weights: RawQuantizedTensor,
    activations: Float32Array,
    int8Activations: boolean,
    kernels: RawBenchKernels,
  ): RawBenchCall;
  benchConv2dF32(
    shape: RawConvShape,
    weights: Float32Array,
    input: Float32Array,
  ): RawBenchCall;
  benchConv2dQC8W(
    shape: RawConvShape,
    weights: RawQuantizedTensor,
    input: Float32Array,
    kernels: RawBenchKernels,
  ): RawBenchCall;
  benchConv2dQC4W(
    shape: RawConvShape,
    weights: RawQuantizedTensor,
    input: Float32Array,
    int8Activations: boolean,
    kernels: RawBenchKernels,
  ): RawBenchCall;
}

// ---- engine/bindings/kernels.cpp --------------------------------------------------------------

export interface RawKernelsModule {
  /** Links quantlab-relaxed.wasm's kernels into the engine; false if this JS engine rejects it. */
  installRelaxedSimd(moduleBytes: Uint8Array): boolean;
  simdKernels(): "relaxed-simd" | "simd128";
}

// ---- engine/bindings/language_model.cpp ---------------------------------------------------------

/** A transformer language model in the engine, with its quantized variants kept per plan. */
export interface RawLanguageModel extends RawDeletable {
  manifestJson(): string;
  /**
   * options: JSON {plans: [name | plan], tokens, temperature, seed, calibrationWindows}; returns
   * JSON {continuations: [{plan, text, tokens, bitsPerWeight, weightBytes, prefillMs, generateMs,
   * tokensPerSecond, kl: number[] | null}]}, kl against the first plan's distributions.
   */
  generate(
    prompt: string,
    calibrationText: string,
    optionsJson: string,
  ): string;
  /** options: JSON {plans, tokens, calibrationWindows, speedRounds}; returns JSON {markdown, tokens, rows}. */
  report(
    testText: string,
    calibrationText: string,
    optionsJson: string,
    onProgress: (progress: RawReportProgress) => boolean,
  ): string;
}

export interface RawLanguageModelModule {
  LoadedLanguageModel: abstract new () => RawLanguageModel;
  loadLanguageModel(
    manifestJson: Uint8Array,
    weights: Uint8Array,
  ): RawLanguageModel;
}

// ---- engine/bindings/threads.cpp --------------------------------------------------------------

export interface RawThreadsModule {
  /** The loader's one call: the threads the module's worker pool was sized for. */
  initThreads(threads: number): void;
  /** Threads the kernels split work across, from 1 to initThreads' count. */
  setThreadCount(threads: number): void;
  threadCount(): number;
}

// ---- the whole module ---------------------------------------------------------------------------

/** Everything the engine's Embind bindings export. */
export type RawBindings = RawQuantModule &
  RawModelsModule &
  RawRunModule &
  RawLogitsModule &
  RawQuantizationModule &
  RawCompareModule &
  RawStatisticsModule &
  RawQatModule &
  RawBenchModule &
  RawKernelsModule &
  RawLanguageModelModule &
  RawThreadsModule;

/** What the library reads of Emscripten's runtime (not a binding). */
export interface RawRuntime {
  /** A view of the whole wasm memory; its length is the memory's current size. */
  HEAP8: Int8Array;
}

/** The Embind module: the bindings and the runtime parts the library uses. */
export type RawEngineModule = RawBindings & RawRuntime;

/** Options of the Emscripten MODULARIZE factory that the loader uses. */
export interface RawModuleOptions {
  /** The engine's memory (the build imports it: -sIMPORTED_MEMORY); shared in the threaded build. */
  wasmMemory: WebAssembly.Memory;
  /** Threaded build: Workers started with the module (-sPTHREAD_POOL_SIZE), threads − 1. */
  pthreadPoolSize?: number;
  /** Threaded build: the module's own URL, which each pthread Worker imports. */
  mainScriptUrlOrBlob?: string;
  /** Threaded build: where a file of the build is (the pthread Workers' script). */
  locateFile?(path: string): string;
  /** Where Emscripten's runtime writes its warnings (default: console.error). */
  printErr?(text: string): void;
  /**
   * Emscripten's hook for instantiating the .wasm ourselves: call `receive` with the instance
   * and return {} (asynchronous instantiation).
   */
  instantiateWasm(
    imports: WebAssembly.Imports,
    receive: (
      instance: WebAssembly.Instance,
      module?: WebAssembly.Module,
    ) => void,
  ): object;
}

export type RawModuleFactory = (
  options: RawModuleOptions,
) => Promise<RawEngineModule>;

/** For a class export, the names of its instance methods; for anything else, none. */
type ExportMembers = {
  [K in keyof RawBindings]: RawBindings[K] extends abstract new (
    ...args: never[]
  ) => infer Instance
    ? readonly Exclude<keyof Instance, "delete">[]
    : readonly [];
};

/**
 * Each export of RawBindings, with the methods of each class, at run time. Typed over the
 * interface's keys, so the compiler rejects a name missing here or unknown there.
 */
export const ENGINE_MODULE_EXPORTS: ExportMembers = {
  Granularity: [],
  quantize: [],
  dequantize: [],
  errorStats: [],
  storageBits: [],
  roundTrip: [],
  paramIndices: [],
  intRange: [],
  validateScheme: [],
  schemeName: [],
  defaultScheme: [],
  LoadedModel: ["manifestJson", "weightsBytes", "evaluate", "classify"],
  parseIdxDataset: [],
  loadModel: [],
  trainModel: [],
  runModel: [],
  modelLogits: [],
  quantizedLogits: [],
  QuantizedModel: [
    "evaluate",
    "classify",
    "manifestJson",
    "weightsBytes",
    "weightBytes",
    "bitsPerWeight",
    "planJson",
  ],
  planPresets: [],
  presetPlan: [],
  report: [],
  search: [],
  qat: [],
  reportMarkdown: [],
  reportCsv: [],
  quantizeModel: [],
  loadQuantizedModel: [],
  activationHistograms: [],
  compareReports: [],
  accuracyInterval: [],
  comparisonMarkdown: [],
  gateSummary: [],
  RooflineStreamRead: ["bytes", "pass"],
  BenchCall: ["run", "output", "weightBytes"],
  rooflineF32MulAdd: [],
  rooflineF32MulAddFlops: [],
  rooflineI16Dot: [],
  rooflineI16DotOps: [],
  rooflineI16DotAdd: [],
  benchMatmulF32: [],
  benchMatmulQC8W: [],
  benchMatmulQC4W: [],
  benchConv2dF32: [],
  benchConv2dQC8W: [],
  benchConv2dQC4W: [],
  installRelaxedSimd: [],
  simdKernels: [],
  LoadedLanguageModel: ["manifestJson", "generate", "report"],
  loadLanguageModel: [],
  initThreads: [],
  setThreadCount: [],
  threadCount: [],
};
