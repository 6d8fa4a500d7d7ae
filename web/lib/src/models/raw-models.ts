// The part of the Embind module that engine/bindings/models.cpp exports. Only ./model.ts
// talks to it.

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

/** An Embind class instance: its C++ memory is freed by delete(). */
export interface RawLoadedModel {
  manifestJson(): string;
  weightsBytes(): Uint8Array;
  evaluate(
    images: Uint8Array,
    labels: Uint8Array,
    imageSize: RawImageSize,
  ): RawEvaluation;
  classify(images: Uint8Array, imageSize: RawImageSize): Int32Array;
  delete(): void;
}

export interface RawModelsModule {
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
