// The page's one QuantLab instance (the engine in the library's Worker) and what views load
// through it: shipped or uploaded models, and datasets fetched with progress when needed.
import {
  createQuantLab,
  QuantLabError,
  type IdxDataset,
  type ModelHandle,
  type QuantizedModelHandle,
} from "quantlab";
import { fetchSplitFiles, type Split } from "./datasets";
import { fetchBytes, type OnProgress } from "./fetch";
import { fetchShippedFiles } from "./models";

export { fetchBytes, type OnProgress };

// A thread per core where the page is cross-origin isolated (`npm run demo` and the Vite
// preview send COOP/COEP), else the one-thread build; lab.info() says which and why.
export const lab = createQuantLab();

/** A model in the worker, with its files' bytes (Layers reads weights from them). */
export interface LoadedModel {
  handle: ModelHandle;
  weights: Uint8Array;
  source: string;
}

const loadedModels = new Map<string, Promise<LoadedModel>>();

/**
 * Forgets the shipped models loaded so far: after the engine's worker died (WorkerDied) their
 * handles are gone, and the next loadShippedModel loads them into the new worker.
 */
export function forgetLoadedModels(): void {
  loadedModels.clear();
}

/** Loads a shipped model (once per page, and again after the worker died). */
export function loadShippedModel(name: string): Promise<LoadedModel> {
  let loading = loadedModels.get(name);
  if (loading === undefined) {
    loading = (async () => {
      const { manifest, weights } = await fetchShippedFiles(name);
      const handle = await lab.loadModel({
        manifest,
        weights: weights.slice(),
      });
      return { handle, weights, source: name };
    })();
    loading.catch(() => loadedModels.delete(name));
    loadedModels.set(name, loading);
  }
  return loading;
}

/** A model the user uploaded: FP32 (manifest + safetensors) or a quantized model file pair. */
export type UploadedModel =
  | ({ kind: "model" } & LoadedModel)
  | { kind: "quantized-model"; handle: QuantizedModelHandle; source: string };

/** Loads the files a user picked; errors say in plain words what is wrong. */
export async function loadUploadedModel(
  files: FileList | File[],
): Promise<UploadedModel> {
  const list = Array.from(files);
  const manifestFile = list.find((f) => f.name.endsWith(".json"));
  const weightsFile = list.find((f) => !f.name.endsWith(".json"));
  if (manifestFile === undefined || weightsFile === undefined)
    throw new Error(
      "Pick two files together: the model's manifest (.json) and its weights (.safetensors).",
    );
  const manifestText = await manifestFile.text();
  let manifest: { quantization?: unknown; name?: string };
  try {
    manifest = JSON.parse(manifestText) as typeof manifest;
  } catch {
    throw new Error(
      `${manifestFile.name} is not a JSON file, so it cannot be a model manifest.`,
    );
  }
  const weights = new Uint8Array(await weightsFile.arrayBuffer());
  const source = `${manifest.name ?? manifestFile.name} (your file)`;
  if (manifest.quantization !== undefined) {
    const handle = await lab.loadQuantizedModel({
      manifest: manifestText,
      weights,
    });
    return { kind: "quantized-model", handle, source };
  }
  const handle = await lab.loadModel({
    manifest: manifestText,
    weights: weights.slice(),
  });
  return { kind: "model", handle, weights, source };
}

const datasets = new Map<string, Promise<IdxDataset>>();

/** A split of a shipped dataset, fetched and parsed once per page. */
export function loadDataset(
  dataset: string,
  split: Split,
  onProgress?: OnProgress,
): Promise<IdxDataset> {
  const key = `${dataset}/${split}`;
  let loading = datasets.get(key);
  if (loading === undefined) {
    loading = fetchSplitFiles(dataset, split, onProgress).then(
      ({ images, labels }) => lab.parseIdxDataset(images, labels),
    );
    loading.catch(() => datasets.delete(key));
    datasets.set(key, loading);
  }
  return loading;
}

/** An error as a sentence a user can act on. */
export function plainError(error: unknown): string {
  if (error instanceof QuantLabError) {
    switch (error.code) {
      case "InvalidModel":
        return `This is not a model QuantLab can read. The engine says: ${error.message}`;
      case "InvalidPlan":
        return `This plan cannot run on this model. The engine says: ${error.message}`;
      case "Aborted":
        return "Cancelled.";
      case "OutOfMemory":
        return `The engine ran out of memory: ${error.message}`;
      case "WorkerDied":
        return `The engine stopped and was restarted; run it again (a model from your own files needs loading again). (${error.message})`;
      default:
        return error.message;
    }
  }
  return error instanceof Error ? error.message : String(error);
}

export const isWorkerDeath = (error: unknown) =>
  error instanceof QuantLabError && error.code === "WorkerDied";

export const isAbort = (error: unknown) =>
  (error instanceof QuantLabError && error.code === "Aborted") ||
  (error instanceof DOMException && error.name === "AbortError");
