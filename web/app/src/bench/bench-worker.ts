// Entry point of the bench page's module Worker: the shared runner (runner.ts) against the
// engine and ONNX Runtime Web, one request per step so the page can show rows as they come
// and cancel between or during steps (by terminating this worker).
import * as ort from "onnxruntime-web/wasm";
// ONNX Runtime's .wasm as a file of the built app: it never comes from the network.
import ortWasmUrl from "onnxruntime-web/ort-wasm-simd-threaded.wasm?url";
import {
  engineThreads,
  loadRawModule,
  serveRequests,
  type ThreadsInfo,
  type Handlers,
  type MessageEndpoint,
} from "quantlab";
import type { BenchModule } from "./bench-module";
import { ISSUE_CASES, type KernelKind } from "./cases";
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

export type BenchWorkerMethods = {
  /** The SIMD kernels the engine runs here: "relaxed-simd" or "simd128". */
  simdKernels(): string;
  /** The threads the engine loaded with, and why (e.g. no cross-origin isolation). */
  threads(): ThreadsInfo;
  roofline(timing: TimingOptions): Roofline;
  runCase(request: CaseRequest): CaseOutcome;
};

ort.env.wasm.wasmPaths = { wasm: new URL(ortWasmUrl, self.location.href).href };

// The raw Embind module holds the bench bindings besides the library's typed API.
const engine = async (): Promise<BenchModule> => loadRawModule();

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
};

serveRequests(self as unknown as MessageEndpoint, handlers);
