// Entry point of the bench page's module Worker: the shared runner (runner.ts) against the
// engine and ONNX Runtime Web, and the end-to-end rows (model-rows.ts) through a lab running in
// this thread, one request per step so the page can show rows as they come and cancel between
// or during steps (by terminating this worker).
import * as ort from "onnxruntime-web/wasm";
// ONNX Runtime's .wasm as a file of the built app: it never comes from the network.
import ortWasmUrl from "onnxruntime-web/ort-wasm-simd-threaded.wasm?url";
import {
  createQuantLab,
  engineThreads,
  loadRawModule,
  serveRequests,
  type ThreadsInfo,
  type Handlers,
  type MessageEndpoint,
  type PlanPreset,
  type QuantLab,
} from "quantlab";
import type { BenchModule } from "./bench-module";
import { ISSUE_CASES, type KernelKind } from "./cases";
import {
  benchModel,
  MODEL_BATCHES,
  type ModelFiles,
  type ModelRow,
} from "./model-rows";
import { measureRoofline, ISSUE_PROBES, type Roofline } from "./roofline";
import { runCase, type CaseOutcome } from "./runner";
import type { TimingOptions } from "./timing";

export interface CaseRequest {
  caseName: string;
  kinds: readonly KernelKind[];
  timing: TimingOptions;
  roofline: Roofline;
  withOrt: boolean;
  checkAgreement: boolean;
}

export interface ModelRequest {
  files: ModelFiles;
  /** Presets timed besides FP32. */
  plans: readonly PlanPreset[];
  timing: TimingOptions;
  withOrt: boolean;
}

export type BenchWorkerMethods = {
  /** The SIMD kernels the engine runs here: "relaxed-simd" or "simd128". */
  simdKernels(): string;
  /** The threads the engine loaded with, and why (e.g. no cross-origin isolation). */
  threads(): ThreadsInfo;
  roofline(timing: TimingOptions): Roofline;
  runCase(request: CaseRequest): CaseOutcome;
  /** A model's end-to-end rows, one per batch size. */
  runModel(request: ModelRequest): ModelRow[];
};

ort.env.wasm.wasmPaths = { wasm: new URL(ortWasmUrl, self.location.href).href };

// The raw Embind module holds the bench bindings besides the library's typed API.
const engine = async (): Promise<BenchModule> => loadRawModule();

// The end-to-end rows run the lab's own classify path, as `npm run bench` does in Node: a lab in
// this thread (no worker of its own) on the engine's thread count, made when first needed.
let lab: Promise<QuantLab> | undefined;
const modelLab = () =>
  (lab ??= engine().then((raw) =>
    createQuantLab({ worker: false, threads: raw.threadCount() }),
  ));

const handlers: Handlers<BenchWorkerMethods> = {
  simdKernels: async () => (await engine()).simdKernels(),
  threads: async () => engineThreads(await loadRawModule()),
  roofline: async ([timing]) =>
    measureRoofline(await engine(), ISSUE_PROBES, timing),
  runCase: async ([request], context) => {
    const c = ISSUE_CASES.find((x) => x.name === request.caseName);
    if (!c) throw new Error(`unknown benchmark case "${request.caseName}"`);
    let done = 0;
    return runCase(await engine(), c, request.roofline, {
      kinds: request.kinds,
      timing: request.timing,
      alongsideStreamBytes: ISSUE_PROBES.streamBytes,
      ort: request.withOrt ? ort : undefined,
      threads: (await engine()).threadCount(),
      checkAgreement: request.checkAgreement,
      onKind: (step) =>
        context.progress({
          done: ++done,
          total: request.kinds.length,
          message: step,
        }),
    });
  },
  runModel: async ([request], context) => {
    let done = 0;
    return benchModel(await modelLab(), request.files, {
      plans: request.plans,
      timing: request.timing,
      threads: (await engine()).threadCount(),
      ort: request.withOrt ? ort : undefined,
      onStep: (step) =>
        context.progress({
          done: done++,
          total: request.plans.length + MODEL_BATCHES.length,
          message: step,
        }),
    });
  },
};

serveRequests(self as unknown as MessageEndpoint, handlers);
