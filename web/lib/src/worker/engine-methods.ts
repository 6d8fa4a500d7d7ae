// The methods an engine worker serves: every Engine function, plus multi-step jobs that
// report progress. Later features register their own methods here.
import { compareSchemes, type SchemeComparison } from "../compare";
import type { Engine } from "../engine";
import { loadEngine } from "../loader";
import type { FloatInput, QuantSchemeOptions, Shape } from "../types";
import type { Handlers } from "./protocol";
import {
  trainModelFiles,
  type ModelFiles,
  type WorkerTrainOptions,
  type WorkerTrainResult,
} from "./train-method";
import type { LabelledImages } from "../models/model";

type EngineFunctionName = {
  [K in keyof Engine]: Engine[K] extends (...args: never[]) => unknown
    ? K
    : never;
}[keyof Engine];

export type EngineWorkerMethods = Pick<Engine, EngineFunctionName> & {
  /** Round trip of each scheme on the same data; progress after each scheme. */
  compareSchemes(
    values: FloatInput,
    shape: Shape,
    schemes: readonly QuantSchemeOptions[],
  ): SchemeComparison[];
  /** Trains the model in `files` on `data`; progress after every batch (detail: TrainProgress). */
  trainModel(
    files: ModelFiles,
    data: LabelledImages,
    options: WorkerTrainOptions,
  ): WorkerTrainResult;
};

// A record rather than a list so the compiler reports an Engine function missing here.
const forwardedFunctions: Record<EngineFunctionName, true> = {
  quantize: true,
  dequantize: true,
  errorStats: true,
  storageBits: true,
  bitsPerWeight: true,
  roundTrip: true,
  paramIndices: true,
  intRange: true,
  validateScheme: true,
  schemeName: true,
};

export function engineWorkerHandlers(): Handlers<EngineWorkerMethods> {
  const forward = Object.fromEntries(
    Object.keys(forwardedFunctions).map((name) => [
      name,
      async (args: unknown[]) => {
        const engine = await loadEngine();
        return (
          engine[name as EngineFunctionName] as (...a: unknown[]) => unknown
        )(...args);
      },
    ]),
  ) as unknown as Handlers<Pick<Engine, EngineFunctionName>>;
  return {
    ...forward,
    compareSchemes: async ([values, shape, schemes], { progress }) =>
      compareSchemes(await loadEngine(), values, shape, schemes, progress),
    trainModel: trainModelFiles,
  };
}
