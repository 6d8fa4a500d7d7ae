// The benchmark itself, shared by `npm run bench` (Node) and the bench page (a Worker): the
// roofline first, then every case and kernel kind, ours and ONNX Runtime's, in one process.
import { seededRandom } from "../../../lib/src/index";
import { rmsAgreement, roundingAgreement, type Agreement } from "./agreement";
import type { BenchCall, BenchModule, StreamReadProbe } from "./bench-module";
import {
  gemmDims,
  inputCount,
  weightCount,
  type BenchCase,
  type KernelKind,
} from "./cases";
import {
  configureOrt,
  createOrtCall,
  type OrtCall,
  type OrtModule,
} from "./ort-backend";
import { ortSupports } from "./ort-models";
import {
  createOurCall,
  engineSupports,
  hasRelaxedKernels,
  prepareWeights,
  type PreparedWeights,
} from "./our-kernels";
import { kernelResult, withComparisons, type KernelResult } from "./results";
import {
  measureRoofline,
  streamWorkload,
  type ProbeSizes,
  type Roofline,
} from "./roofline";
import { checkTargets, type TargetCheck } from "./targets";
import { measureInterleaved, type TimingOptions } from "./timing";

export interface BenchOptions {
  cases: readonly BenchCase[];
  kinds: readonly KernelKind[];
  timing: TimingOptions;
  probes: ProbeSizes;
  /** ONNX Runtime Web to compare against; omitted, the ORT columns stay empty. */
  ort?: OrtModule;
  /**
   * Threads ours and ONNX Runtime run with (ours at 1 thread is timed alongside when more).
   * ONNX Runtime keeps the count of its first session, so use one count per process or page.
   */
  threads: number;
  /** The case on which ONNX Runtime's outputs are compared with ours. */
  agreementCase?: string;
  /** Where the run happens (Node version, browser), recorded in the report. */
  environment: string;
  onProgress?: (progress: Progress) => void;
}

export interface Progress {
  /** Steps finished out of total: the roofline, then one per case and kind. */
  done: number;
  total: number;
  /** What was just finished. */
  step: string;
  roofline?: Roofline;
  result?: KernelResult;
}

export interface BenchReport {
  startedAt: string;
  environment: string;
  timing: TimingOptions;
  probes: ProbeSizes;
  roofline: Roofline;
  results: KernelResult[];
  agreement: Agreement[];
  checks: TargetCheck[];
  /** Case/kind pairs this engine build has no kernel for. */
  unavailable: string[];
}

export interface CaseOptions {
  kinds: readonly KernelKind[];
  timing: TimingOptions;
  /**
   * Bytes of a streaming-read probe timed interleaved with a GEMV case's kernels; its median
   * bandwidth, not the roofline's, then places the case's memory-bound rows. Omitted: the
   * roofline's bandwidth serves.
   */
  alongsideStreamBytes?: number;
  ort?: OrtModule;
  /** As BenchOptions.threads. */
  threads: number;
  /** Compare ONNX Runtime's outputs with ours on this case. */
  checkAgreement: boolean;
  /** Called after each kind with its step name and row (absent when the engine lacks the kernel). */
  onKind?: (step: string, result?: KernelResult) => void;
}

export interface CaseOutcome {
  results: KernelResult[];
  agreement: Agreement[];
  unavailable: string[];
}

/**
 * One kernel kind on a case: our call on the SIMD128 kernels, on the relaxed-SIMD ones where
 * this JavaScript engine runs them, and ONNX Runtime's where it has the kind.
 */
interface Contender {
  kind: KernelKind;
  step: string;
  prepared: PreparedWeights;
  ours: BenchCall;
  relaxed?: BenchCall;
  ort?: OrtCall;
}

/**
 * Every kind on one case, ours and ONNX Runtime's, all timed interleaved (see
 * measureInterleaved) so the ratios against FP32 and ONNX Runtime compare like with like;
 * `roofline` places the rows under its roofs.
 */
export async function runCase(
  engine: BenchModule,
  c: BenchCase,
  roofline: Roofline,
  options: CaseOptions,
): Promise<CaseOutcome> {
  if (options.ort) configureOrt(options.ort, options.threads);
  const outcome: CaseOutcome = { results: [], agreement: [], unavailable: [] };
  // Seeded per case, so a case gets the same data whether it runs alone or in the full set.
  const random = seededRandom(hashString(c.name));
  const weights = randomFloats(random, weightCount(c));
  const input = randomFloats(random, inputCount(c));
  const inputDims =
    c.op === "conv" ? [c.batch, c.inChannels, c.height, c.width] : [c.m, c.k];

  const contenders: Contender[] = [];
  let stream: StreamReadProbe | undefined;
  try {
    for (const kind of options.kinds) {
      const step = `${c.name} ${kind}`;
      if (!engineSupports(engine, c, kind)) {
        outcome.unavailable.push(step);
        options.onKind?.(step);
        continue;
      }
      const prepared = prepareWeights(engine, c, kind, weights);
      const contender: Contender = {
        kind,
        step,
        prepared,
        ours: createOurCall(engine, c, kind, prepared, input),
      };
      if (hasRelaxedKernels(engine, kind))
        contender.relaxed = createOurCall(
          engine,
          c,
          kind,
          prepared,
          input,
          true,
        );
      contenders.push(contender);
      if (options.ort && ortSupports(c, kind)) {
        contender.ort = await createOrtCall(
          options.ort,
          c,
          prepared.forOrt,
          input,
          inputDims,
        );
      }
    }

    // A shared machine's memory bandwidth drifts by 10% and more between minutes, so a GEMV is
    // placed under the bandwidth a probe measured in the same interleaved samples, median
    // against median, not under the probe's best sample from the start of the run.
    if (c.op === "gemv" && options.alongsideStreamBytes !== undefined) {
      stream = new engine.RooflineStreamRead(options.alongsideStreamBytes);
    }
    const streaming = stream && streamWorkload(stream, roofline.streams);
    const { threads } = options;
    const atThreads = (count: number, run: () => void) => {
      engine.setThreadCount(count);
      run();
    };
    const workloads = [
      ...contenders.flatMap(({ ours, relaxed, ort }) => [
        (n: number) => atThreads(threads, () => ours.run(n)),
        ...(threads > 1
          ? [(n: number) => atThreads(1, () => ours.run(n))]
          : []),
        ...(relaxed
          ? [(n: number) => atThreads(threads, () => relaxed.run(n))]
          : []),
        ...(ort ? [(n: number) => ort.run(n)] : []),
      ]),
      ...(streaming ? [streaming.run] : []),
    ];
    const timings = await measureInterleaved(workloads, options.timing);
    engine.setThreadCount(threads);
    const caseRoofline = streaming
      ? { ...roofline, streamGBs: streaming.gbs(timings.at(-1)!.median) }
      : roofline;

    let next = 0;
    let f32Ms: number | undefined;
    for (const { kind, step, prepared, ours, relaxed, ort } of contenders) {
      const oursTiming = timings[next++]!;
      const oneThread = threads > 1 ? timings[next++] : undefined;
      const relaxedTiming = relaxed ? timings[next++] : undefined;
      const ortTiming = ort ? timings[next++] : undefined;
      if (relaxed) expectSameOutputs(step, ours.output(), relaxed.output());
      if (ort && options.checkAgreement) {
        outcome.agreement.push(
          compareOutputs(
            engine,
            c,
            kind,
            prepared,
            input,
            weights,
            ours.output(),
            ort.output(),
          ),
        );
      }
      const result = withComparisons(
        kernelResult(
          c,
          kind,
          ours.weightBytes(),
          oursTiming,
          caseRoofline,
          threads,
          oneThread,
        ),
        f32Ms,
        ortTiming,
        relaxedTiming,
      );
      if (kind === "f32") f32Ms = result.ms;
      outcome.results.push(result);
      options.onKind?.(step, result);
    }
  } finally {
    stream?.delete();
    for (const { ours, relaxed, ort } of contenders) {
      ours.delete();
      relaxed?.delete();
      await ort?.release();
    }
  }
  return outcome;
}

/** The roofline, then every case. */
export async function runBench(
  engine: BenchModule,
  options: BenchOptions,
): Promise<BenchReport> {
  const startedAt = new Date().toISOString();
  const total = 1 + options.cases.length * options.kinds.length;
  let done = 0;
  const report = (step: string, extra: Partial<Progress> = {}) =>
    options.onProgress?.({ done: ++done, total, step, ...extra });

  const roofline = await measureRoofline(
    engine,
    options.probes,
    options.timing,
  );
  report("roofline", { roofline });

  const outcomes: CaseOutcome[] = [];
  for (const c of options.cases) {
    outcomes.push(
      await runCase(engine, c, roofline, {
        kinds: options.kinds,
        timing: options.timing,
        alongsideStreamBytes: options.probes.streamBytes,
        ort: options.ort,
        threads: options.threads,
        checkAgreement: c.name === options.agreementCase,
        onKind: (step, result) => report(step, { result }),
      }),
    );
  }
  const results = outcomes.flatMap((o) => o.results);
  return {
    startedAt,
    environment: options.environment,
    timing: options.timing,
    probes: options.probes,
    roofline,
    results,
    agreement: outcomes.flatMap((o) => o.agreement),
    checks: checkTargets(results),
    unavailable: outcomes.flatMap((o) => o.unavailable),
  };
}

function compareOutputs(
  engine: BenchModule,
  c: BenchCase,
  kind: KernelKind,
  prepared: PreparedWeights,
  input: Float32Array,
  weights: Float32Array,
  ours: Float32Array,
  theirs: Float32Array,
): Agreement {
  if (ours.length !== theirs.length) {
    throw new Error(
      `${c.name} ${kind}: ONNX Runtime gave ${theirs.length} outputs, ours ${ours.length}`,
    );
  }
  // Quantized activations differ by quantization noise. A convolution has no plain product to
  // bound its rounding against here, so it gets the RMS test too: loose for f32, yet far below
  // the ~100% of a wrong layout.
  if (c.op === "conv" || kind === "qd8" || kind === "w4a8") {
    return rmsAgreement(kind, ours, theirs);
  }
  const effectiveWeights = prepared.quantized
    ? engine.dequantize(prepared.quantized)
    : weights;
  return roundingAgreement(
    kind,
    ours,
    theirs,
    input,
    effectiveWeights,
    gemmDims(c),
  );
}

// The relaxed-SIMD kernels' integer sums are exact, and their float steps are the SIMD128
// kernels' in the same order: any difference in the outputs is a bug.
function expectSameOutputs(
  step: string,
  simd128: Float32Array,
  relaxed: Float32Array,
): void {
  const at = simd128.findIndex((value, i) => !Object.is(value, relaxed[i]));
  if (at >= 0 || simd128.length !== relaxed.length) {
    throw new Error(
      `${step}: the relaxed-SIMD kernel's output ${at} differs from SIMD128's (${relaxed[at]} vs ${simd128[at]})`,
    );
  }
}

/** FNV-1a: a seed from a case name. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; ++i)
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** Uniform in (-1, 1). */
function randomFloats(random: () => number, count: number): Float32Array {
  const values = new Float32Array(count);
  for (let i = 0; i < count; ++i) values[i] = 2 * random() - 1;
  return values;
}
