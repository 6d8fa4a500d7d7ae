// Everything both entry points (index.ts for browsers, index.node.ts for Node) export besides
// createQuantLab: the types of the API, the error class, small helpers, and the low-level
// pieces the app's benchmark page builds its own worker from.
export type {
  CreateQuantLab,
  QuantLab,
  QuantLabOptions,
} from "./api/quantlab.js";
export type {
  Handle,
  LanguageModelHandle,
  ModelHandle,
  QuantizedModelHandle,
} from "./api/handles.js";
export type {
  Continuation,
  GenerateOptions,
  GenerateResult,
  LanguageModelManifest,
  LanguageModelPlanSpec,
  LanguageModelReport,
  LanguageModelReportOptions,
  LanguageModelReportRow,
} from "./models/language-model.js";
export { DEFAULT_GENERATE_PLANS } from "./models/language-model.js";
export type {
  ActivationHistogramOptions,
  CalibrationOptions,
  LayerActivations,
  LayerPlan,
  Plan,
  PlanPreset,
  PlanSpec,
  QuantizeOptions,
  Report,
  ReportOptions,
  ReportPlanRow,
  ReportProgress,
  ReportRow,
  ReportSpeed,
  SearchOptions,
  SearchResult,
  QatOptions,
  QatProgress,
} from "./quantization/types.js";
export { DEFAULT_REPORT_PLANS } from "./quantization/types.js";
export type {
  ComparisonRow,
  ComparisonSide,
  ComparisonSource,
  ComparisonVerdict,
  GateFailure,
  GateThresholds,
  PairedPredictions,
  ReportComparison,
} from "./quantization/comparison.js";
export type { MethodOptions } from "./api/method.js";
export type {
  EvaluateOptions,
  LogitsOptions,
  LogitsResult,
  MemoryUsage,
  QatResult,
  RunResult,
  SavedModel,
  SimdKernels,
  TrainMethodOptions,
  TrainResult,
} from "./api/methods.js";
export type {
  Evaluation,
  IdxDataset,
  Images,
  LabelledImages,
  LayerDescription,
  ModelFiles,
  ModelManifest,
} from "./models/model.js";
export type { TrainProgress } from "./models/train.js";
export type { SchemeComparison } from "./compare.js";
export { QuantLabError, type ErrorCode } from "./errors.js";
export type { EngineLoadOptions } from "./loader/load.js";
export type { ThreadsInfo } from "./loader/threads.js";
export type { WasmSource } from "./loader/wasm-source.js";
export type { RelaxedSimdSource } from "./loader/relaxed-simd.js";
export { GRANULARITIES } from "./types.js";
export type {
  Bits,
  ErrorStats,
  FloatInput,
  Granularity,
  IntRange,
  QuantizedTensor,
  QuantScheme,
  QuantSchemeOptions,
  RoundTripResult,
  Shape,
  StorageBits,
} from "./types.js";
export { gridLevels } from "./grid.js";
export { seededRandom } from "./random.js";

// Low level: the raw Embind module and the worker protocol.
export { engineThreads, loadRawModule } from "./loader/load.js";
export type * from "./engine-module.js";
export {
  createWorkerClient,
  type CallOptions,
  type WorkerClient,
  type WorkerClientOptions,
  type WorkerLike,
} from "./worker/client.js";
export { serveRequests, type ServeOptions } from "./worker/server.js";
export type {
  Handlers,
  HandlerContext,
  MessageEndpoint,
  MethodMap,
  Progress,
} from "./worker/protocol.js";
