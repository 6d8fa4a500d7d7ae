// The public API of the quantlab npm package.
export { loadEngine, loadRawModule } from "./loader";
export type { Engine } from "./engine";
export { compareSchemes, type SchemeComparison } from "./compare";
export {
  createEngineWorker,
  type EngineWorker,
} from "./worker/engine-worker-client";
export type { EngineWorkerMethods } from "./worker/engine-methods";
export {
  createWorkerClient,
  type CallOptions,
  type WorkerClient,
  type WorkerLike,
} from "./worker/client";
export { serveRequests } from "./worker/server";
export type {
  Handlers,
  HandlerContext,
  MessageEndpoint,
  MethodMap,
  Progress,
} from "./worker/protocol";
export { engineWorkerHandlers } from "./worker/engine-methods";
export {
  trainInWorker,
  type ModelFiles,
  type TrainInWorkerOptions,
  type WorkerTrainOptions,
  type WorkerTrainResult,
} from "./worker/train-method";
export { GRANULARITIES } from "./types";
export { gridLevels } from "./grid";
export { seededRandom } from "./random";
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
} from "./types";
export {
  loadModel,
  parseIdxDataset,
  type Evaluation,
  type IdxDataset,
  type Images,
  type LabelledImages,
  type LayerDescription,
  type Model,
  type ModelManifest,
} from "./models/model";
export {
  trainModel,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
} from "./models/train";
