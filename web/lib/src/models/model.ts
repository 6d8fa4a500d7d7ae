// Models and datasets in this thread, the building blocks of the QuantLab methods: the engine
// parses and validates every file (its errors arrive as Errors named "InvalidArgument" with
// the engine's message); this file undoes gzip, converts types and frees the engine's memory
// on dispose(). Each function takes the engine module to use (default: this thread's shared one).
import type {
  RawEngineModule,
  RawImageSize,
  RawLoadedModel,
  RawRunnableModel,
} from "../engine-module.js";
import { invalidArgument, toQuantLabError } from "../errors.js";
import { loadRawModule } from "../loader/load.js";
import { gunzipIfNeeded } from "./gzip.js";

/** One layer of the manifest's architecture (fields of its kind, e.g. in_features). */
export interface LayerDescription {
  kind: string;
  name: string;
  output_shape: number[];
  parameters: Record<string, number[]>;
  [field: string]: unknown;
}

/** manifest.json, as the engine writes it (engine/include/quantlab/io.h). */
export interface ModelManifest {
  format: "quantlab-model";
  version: 1;
  name: string;
  /** "mnist" or "fashion-mnist": whose test split the recorded metrics are measured on. */
  dataset: string;
  /**
   * Network input = (pixel × pixel_scale − mean) / std, one sample of `shape`. A flat input
   * (shape [784]) may state the [rows, cols] of the images it is made of in `image_shape`.
   */
  input: {
    shape: number[];
    image_shape?: number[];
    pixel_scale: number;
    mean: number;
    std: number;
  };
  labels: string[];
  architecture: { layers: LayerDescription[] };
  recipe: Record<string, unknown>;
  /** Measured numbers: test_accuracy (fraction), test_correct, test_count, train_seconds, ... */
  metrics: Record<string, number>;
}

/** A labelled image set: images row-major [count, rows, cols] u8, labels [count]. */
export interface IdxDataset {
  count: number;
  rows: number;
  cols: number;
  images: Uint8Array;
  labels: Uint8Array;
}

/**
 * u8 images, row-major. Given rows and cols (an IdxDataset has them), the engine also checks
 * them against the model's image size (the input's height and width, or the `image_shape` of a
 * flat input), so 14×56 images cannot pass for 28×28; without them only the pixel count per
 * image is checked.
 */
export interface Images {
  images: Uint8Array;
  rows?: number;
  cols?: number;
}

/** Images with one label each (an IdxDataset is one). */
export interface LabelledImages extends Images {
  labels: Uint8Array;
}

/** Accuracy on labelled images: `correct` of `count` (accuracy 0 when count is 0). */
export interface Evaluation {
  correct: number;
  count: number;
  accuracy: number;
}

/** A model in this thread's engine (the building block of the QuantLab methods). */
export interface Model {
  readonly manifest: ModelManifest;
  /** FP32 accuracy on labelled images (e.g. an IdxDataset). */
  evaluate(data: LabelledImages): Evaluation;
  /** FP32 accuracy on flattened u8 images (count × input size) with their labels. */
  evaluate(images: Uint8Array, labels: Uint8Array): Evaluation;
  /** The highest-scoring class of each image (flattened u8 images, or Images with their size). */
  classify(images: Uint8Array | Images): Int32Array;
  /** The two files exactly as the engine saves them: loading them gives this model again. */
  files(): { manifestJson: string; weights: Uint8Array };
  /** Frees the engine memory; the model cannot be used afterwards. */
  dispose(): void;
}

/** Throws InvalidArgument unless `value` is a non-negative safe integer. */
export function requireCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw invalidArgument(
      `${name} must be a non-negative integer, got ${value}`,
    );
}

/** The engine's image size argument for `data`: both rows and cols, or neither. */
export function imageSizeOf({ rows, cols }: Images): RawImageSize {
  if (rows === undefined && cols === undefined) return null;
  if (rows === undefined || cols === undefined)
    throw invalidArgument("images need both rows and cols, or neither");
  requireCount("rows", rows);
  requireCount("cols", cols);
  return { rows, cols };
}

/** Parses an IDX images file and its labels file (each raw or gzipped) and checks they agree. */
export async function parseIdxDataset(
  images: Uint8Array,
  labels: Uint8Array,
  engine?: RawEngineModule,
): Promise<IdxDataset> {
  const raw = engine ?? (await loadRawModule());
  const [imageBytes, labelBytes] = await Promise.all([
    gunzipIfNeeded(images),
    gunzipIfNeeded(labels),
  ]);
  return raw.parseIdxDataset(imageBytes, labelBytes);
}

/** A model's two files: manifest.json (bytes or text) and model.safetensors. */
export interface ModelFiles {
  manifest: Uint8Array | string;
  weights: Uint8Array;
}

/** A model from its files; a file the engine rejects gives an InvalidModel error. */
export async function loadModel(
  files: ModelFiles,
  engine?: RawEngineModule,
): Promise<Model> {
  const raw = engine ?? (await loadRawModule());
  const manifestBytes =
    typeof files.manifest === "string"
      ? new TextEncoder().encode(files.manifest)
      : files.manifest;
  try {
    return wrapModel(raw.loadModel(manifestBytes, files.weights), raw);
  } catch (error) {
    throw toQuantLabError(error, "InvalidModel");
  }
}

interface Owned {
  use(): RawLoadedModel;
  engine: RawEngineModule;
}

// The engine handle behind each live Model, for the library's other engine calls (train.ts).
const owned = new WeakMap<Model, Owned>();

/** The engine handle of `model` and its module; throws if it was disposed. */
export function rawModelOf(model: Model): {
  handle: RawLoadedModel;
  engine: RawEngineModule;
} {
  const entry = owned.get(model);
  if (entry === undefined) throw new Error("not a model of this library");
  return { handle: entry.use(), engine: entry.engine };
}

/** The calls an FP32 and a quantized engine model share, on the handle `use()` returns. */
export function runnableCalls(
  use: () => RawRunnableModel,
): Pick<Model, "evaluate" | "classify" | "files"> {
  return {
    evaluate(imagesOrData: Uint8Array | LabelledImages, labels?: Uint8Array) {
      const data =
        imagesOrData instanceof Uint8Array
          ? { images: imagesOrData, labels: labels ?? new Uint8Array() }
          : imagesOrData;
      const { correct, count } = use().evaluate(
        data.images,
        data.labels,
        imageSizeOf(data),
      );
      return { correct, count, accuracy: count > 0 ? correct / count : 0 };
    },
    classify(images: Uint8Array | Images) {
      const data = images instanceof Uint8Array ? { images } : images;
      return use().classify(data.images, imageSizeOf(data));
    },
    files: () => ({
      manifestJson: use().manifestJson(),
      weights: use().weightsBytes(),
    }),
  };
}

/** A Model owning `handle` of `engine` (freed by its dispose()). */
export function wrapModel(
  handle: RawLoadedModel,
  engine: RawEngineModule,
): Model {
  let live: RawLoadedModel | undefined = handle;
  const use = (): RawLoadedModel => {
    if (live === undefined) throw invalidArgument("this model was disposed");
    return live;
  };
  const manifest = JSON.parse(handle.manifestJson()) as ModelManifest;
  const model: Model = {
    manifest,
    ...runnableCalls(use),
    dispose() {
      live?.delete();
      live = undefined;
    },
  };
  owned.set(model, { use, engine });
  return model;
}
