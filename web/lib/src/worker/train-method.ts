// Training in the engine worker: the worker side loads the model from its files, runs the
// library's trainModel and sends its per-batch progress through the protocol; trainInWorker is
// the page side. Aborting terminates the worker (client.ts), so it stops a run mid-batch.
import { loadModel, type LabelledImages } from "../models/model";
import {
  trainModel,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
} from "../models/train";
import type { CallOptions } from "./client";
import type { EngineWorker } from "./engine-worker-client";
import {
  transferablesOf,
  type HandlerContext,
  type Progress,
} from "./protocol";

/** A model's two files, as Model.files() returns them. */
export interface ModelFiles {
  manifestJson: string;
  weights: Uint8Array;
}

/** Training options that travel to a worker (callbacks and signals cannot). */
export type WorkerTrainOptions = Omit<TrainOptions, "onProgress" | "signal">;

/** A TrainResult with the trained model as files, to load with loadModel. */
export type WorkerTrainResult = Omit<TrainResult, "model"> & {
  files: ModelFiles;
};

function protocolProgress(progress: TrainProgress): Progress {
  const { epoch, epochs, batch, batches, loss, accuracy } = progress;
  return {
    done: (epoch - 1) * batches + batch,
    total: epochs * batches,
    message: `epoch ${epoch}/${epochs}, batch ${batch}/${batches}, loss ${loss.toFixed(4)}, accuracy ${accuracy.toFixed(4)}`,
    detail: progress,
  };
}

/** The worker method: trains the model in `files` on `data` and returns the trained files. */
export async function trainModelFiles(
  [files, data, options]: [ModelFiles, LabelledImages, WorkerTrainOptions],
  { progress }: HandlerContext,
): Promise<WorkerTrainResult> {
  const model = await loadModel({
    manifest: files.manifestJson,
    weights: files.weights,
  });
  try {
    const { model: trained, ...summary } = await trainModel(model, data, {
      ...options,
      onProgress: (p) => progress(protocolProgress(p)),
    });
    try {
      return { ...summary, files: trained.files() };
    } finally {
      trained.dispose();
    }
  } finally {
    model.dispose();
  }
}

export interface TrainInWorkerOptions extends WorkerTrainOptions {
  /** Called after every batch, as the worker reports it. */
  onProgress?: (progress: TrainProgress) => void;
  /** Aborting terminates the worker: the run stops at once and the call rejects with an AbortError. */
  signal?: AbortSignal;
  /** Move the files' and data's buffers to the worker instead of copying them (they become unusable here). */
  transfer?: boolean;
}

/** Trains in `worker` off the main thread; the result's files load with loadModel. */
export function trainInWorker(
  worker: EngineWorker,
  files: ModelFiles,
  data: LabelledImages,
  options: TrainInWorkerOptions = {},
): Promise<WorkerTrainResult> {
  const { onProgress, signal, transfer, ...trainOptions } = options;
  const callOptions: CallOptions = {
    onProgress: (progress) => onProgress?.(progress.detail as TrainProgress),
  };
  if (signal !== undefined) callOptions.signal = signal;
  if (transfer === true) callOptions.transfer = transferablesOf([files, data]);
  return worker.call("trainModel", [files, data, trainOptions], callOptions);
}
