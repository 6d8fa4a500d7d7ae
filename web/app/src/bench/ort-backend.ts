// ONNX Runtime Web as the benchmark's comparison: one session per case and kind, wasm SIMD, the
// same thread count as ours. The caller passes the `onnxruntime-web` namespace it imported (Node and the browser
// import different entry points of the same package).
import type * as Ort from "onnxruntime-web";
import { encodeOnnxModel, type OnnxGraph } from "./onnx-model";
import { ortGraph, type CaseWeights } from "./ort-models";
import type { BenchCase } from "./cases";

export type OrtModule = typeof Ort;

export interface OrtCall {
  /** Runs the session `repetitions` times, one after the other. */
  run(repetitions: number): Promise<void>;
  /** Output of the last run. */
  output(): Float32Array;
  release(): Promise<void>;
}

/**
 * The same threads as ours, so the comparison is like for like. ONNX Runtime fixes its thread
 * count when its wasm first initializes, so one process (or page) compares at one count.
 */
export function configureOrt(ort: OrtModule, threads: number): void {
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.simd = true;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = "error";
}

/** An ONNX Runtime Web session for `graph`, as every bench row creates it. */
export function createOrtSession(
  ort: OrtModule,
  graph: OnnxGraph,
): Promise<Ort.InferenceSession> {
  return ort.InferenceSession.create(encodeOnnxModel(graph), {
    executionProviders: ["wasm"],
    graphOptimizationLevel: "all",
  });
}

export async function createOrtCall(
  ort: OrtModule,
  c: BenchCase,
  weights: CaseWeights,
  input: Float32Array,
  inputDims: readonly number[],
): Promise<OrtCall> {
  const graph = ortGraph(c, weights);
  const session = await createOrtSession(ort, graph);
  const feeds = {
    [graph.inputs[0]!.name]: new ort.Tensor("float32", input, inputDims),
  };
  const outputName = graph.outputs[0]!.name;
  let last: Float32Array | undefined;
  return {
    async run(repetitions) {
      for (let i = 0; i < repetitions; ++i) {
        const result = await session.run(feeds);
        const tensor = result[outputName]!;
        last = tensor.data as Float32Array;
        tensor.dispose();
      }
    },
    output() {
      if (!last) throw new Error("ONNX Runtime session has not run yet");
      return last;
    },
    release: () => session.release(),
  };
}
