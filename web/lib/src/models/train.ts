// Training in the library: the engine trains (engine/bindings/train.cpp) and checks every
// value; this file fills defaults, checks the integer fields JS numbers can get wrong, and maps
// onProgress/AbortSignal onto the engine's progress callback, which cancels by returning false.
import type { RawTrainConfig, RawTrainProgress } from "../engine-module.js";
import { abortError } from "../errors.js";
import type { LabelledImages, Model } from "./model.js";
import { imageSizeOf, rawModelOf, requireCount, wrapModel } from "./model.js";

/** Reported after every batch (the engine's object as is). */
export type TrainProgress = RawTrainProgress;

export interface TrainOptions {
  /** "adam" (AdamW, decoupled weight decay) or "sgd" (momentum, L2 weight decay). Default "adam". */
  optimizer?: "sgd" | "adam";
  /** Default 1e-3. */
  learningRate?: number;
  /** SGD momentum in [0, 1). Default 0.9. */
  momentum?: number;
  /** Applied to weights only (not biases). Default 0. */
  weightDecay?: number;
  /** Default 1. */
  epochs?: number;
  /** Default 64. */
  batchSize?: number;
  /** Shuffling and dropout; the same seed gives the same weights bit for bit. Default 1. */
  seed?: number;
  /** If set, the parameters are re-initialised with this seed first: training from the
   * architecture instead of fine-tuning. */
  initSeed?: number;
  /** Called after every batch; returning false stops training after it (the result then has
   * cancelled: true). */
  onProgress?: (progress: TrainProgress) => boolean | void;
  /** Asked before training and after every batch; true stops it and rejects with Aborted. */
  aborted?: () => boolean;
}

export interface TrainResult {
  /** A new model (the input model is unchanged); dispose() it when done. */
  model: Model;
  /** True if onProgress stopped training early. */
  cancelled: boolean;
  epochsCompleted: number;
  /** The last epoch's mean training loss and accuracy (partial epoch if cancelled). */
  loss: number;
  accuracy: number;
  seconds: number;
}

const defaults: RawTrainConfig = {
  optimizer: "adam",
  learningRate: 1e-3,
  momentum: 0.9,
  weightDecay: 0,
  epochs: 1,
  batchSize: 64,
  seed: 1,
};

/** Trains a copy of `model` on labelled u8 images (e.g. an IdxDataset). */
export async function trainModel(
  model: Model,
  data: LabelledImages,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const { initSeed, onProgress, aborted = () => false, ...given } = options;
  const config: RawTrainConfig = { ...defaults };
  for (const [key, value] of Object.entries(given))
    if (value !== undefined) Object.assign(config, { [key]: value });
  requireCount("epochs", config.epochs);
  requireCount("batchSize", config.batchSize);
  requireCount("seed", config.seed);
  if (initSeed !== undefined) requireCount("initSeed", initSeed);
  const imageSize = imageSizeOf(data);
  const { handle, engine } = rawModelOf(model);
  if (aborted()) throw abortError();

  // A JS exception must not unwind through the engine: keep it and stop training instead.
  let callbackError: { error: unknown } | undefined;
  const outcome = engine.trainModel(
    handle,
    data.images,
    data.labels,
    imageSize,
    config,
    initSeed ?? null,
    (progress) => {
      try {
        if (aborted()) return false;
        return onProgress?.(progress) !== false && !aborted();
      } catch (error) {
        callbackError = { error };
        return false;
      }
    },
  );
  const trained = wrapModel(outcome.model, engine);
  if (callbackError !== undefined || aborted()) {
    trained.dispose();
    if (callbackError !== undefined) throw callbackError.error;
    throw abortError();
  }
  return {
    model: trained,
    cancelled: outcome.cancelled,
    epochsCompleted: outcome.epochsCompleted,
    loss: outcome.loss,
    accuracy: outcome.accuracy,
    seconds: outcome.seconds,
  };
}
