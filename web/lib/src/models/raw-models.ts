// The part of the Embind module that engine/bindings/models.cpp exports. Only ./model.ts
// talks to it.

export interface RawIdxDataset {
  count: number;
  rows: number;
  cols: number;
  images: Uint8Array;
  labels: Uint8Array;
}

export interface RawEvaluation {
  correct: number;
  count: number;
}

/** An Embind class instance: its C++ memory is freed by delete(). */
export interface RawLoadedModel {
  manifestJson(): string;
  weightsBytes(): Uint8Array;
  evaluate(images: Uint8Array, labels: Uint8Array): RawEvaluation;
  classify(images: Uint8Array): Int32Array;
  delete(): void;
}

export interface RawModelsModule {
  parseIdxDataset(images: Uint8Array, labels: Uint8Array): RawIdxDataset;
  loadModel(manifestJson: Uint8Array, weights: Uint8Array): RawLoadedModel;
}
