#!/usr/bin/env node
// `quantlab`, the npm package's command line (Node), the same commands as the native developer
// CLI (engine/cli/) on the wasm engine:
//   quantlab eval <model dir> [--data DIR]          accuracy of a model or quantized model,
//                                                   checked against its manifest
//   quantlab quantize <model dir> --out DIR [--plan P] [--calib M] [--percentile P]
//                                           [--calib-size N] [--data DIR]
//   quantlab report <model dir> [--plans a,b] [--calib M] [--percentile P] [--calib-size N]
//                               [--format md|json|csv] [--out FILE] [--speed-rounds N]
//                               [--int4-methods yes] [--validation N] [--search BUDGET] [--data DIR]
//                               [--baseline BASE.json [--max-decay POINTS] [--max-size RATIO]
//                                [--min-speedup RATIO] [--alpha P]]
//   quantlab search <model dir> (--budget B | --min-accuracy A) [--out plan.json] [--validation N]
//   quantlab compare <BASE.json> <NEW.json> [--format md|json] [--out FILE] [--max-decay POINTS]
//                    [--max-size RATIO] [--min-speedup RATIO] [--alpha P]
//   quantlab report <language model dir> [--plans a,b] [--tokens N] [--calib-size WINDOWS]
//                   [--speed-rounds N] [--out FILE] [--data DIR]     (docs/language-model.md)
//   quantlab generate <language model dir> [--plan P] [--prompt TEXT] [--tokens N]
//                     [--temperature T] [--seed S] [--data DIR]
//
// Every command takes --threads N (default: the cores available; results do not depend on it).
//
// With --baseline (report) and always (compare), the regression gate of docs/report.md runs:
// the command exits 3 when a threshold is crossed (1: an error, 2: usage), printing why.
//
// The package's "bin" is this file built (web/lib/dist/cli.js). A model directory that does
// not exist where the command runs is looked up in the package, which ships models/, so
// `quantlab eval models/mnist-cnn` works from any folder. Data defaults to the gzipped splits
// the package ships (web/app/public/data/<dataset>): the test split, and for calibration the
// first 1,024 training images (the native CLI takes the same first N from the full training
// split, so both give the same numbers); raw IDX files are read when present.
import { existsSync, realpathSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { arch, cpus, platform } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { fileURLToPath, pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { createQuantLab } from "./index.node.js";
import type { QuantLab } from "./api/quantlab.js";
import type {
  LanguageModelHandle,
  ModelHandle,
  QuantizedModelHandle,
} from "./api/handles.js";
import type { Evaluation, IdxDataset } from "./models/model.js";
import type {
  CalibrationOptions,
  PlanSpec,
  Report,
  ReportOptions,
} from "./quantization/types.js";
import type {
  GateThresholds,
  ReportComparison,
} from "./quantization/comparison.js";
import { DEFAULT_REPORT_PLANS } from "./quantization/types.js";

// This process's engine runs the relaxed-SIMD kernels where V8 has them: Node 20 only behind
// this flag (set before any WebAssembly is compiled; its workers inherit it), which later
// Node versions have on by default, and right only on its optimizing compiler: its baseline
// compiler (Liftoff) miscompiles the fused relaxed dot, so the engine would refuse the kernels
// (docs/quantization.md §10.1). Compiling on the optimizing compiler alone costs about 0.2 s
// at start.
setFlagsFromString("--experimental-wasm-relaxed-simd");
setFlagsFromString("--no-liftoff");

const COMMANDS: Record<string, { usage: string; run: Command }> = {
  eval: {
    usage: "eval <model dir> [--data DIR]",
    run: evalCommand,
  },
  quantize: {
    usage:
      "quantize <model dir> --out DIR [--plan PRESET|plan.json] [--calib METHOD] [--percentile P] [--calib-size N] [--data DIR]",
    run: quantizeCommand,
  },
  generate: {
    usage:
      "generate <language model dir> [--plan PRESET|gptq-int4-g32|plan.json] [--prompt TEXT] [--tokens N] [--temperature T] [--seed S] [--data DIR]",
    run: generateCommand,
  },
  report: {
    usage:
      "report <model dir> [--plans a,b,...] [--calib METHOD] [--percentile P] [--calib-size N] [--format md|json|csv] [--out FILE] [--speed-rounds N] [--int4-methods yes] [--validation N] [--search BUDGET] [--data DIR] [--baseline BASE.json [--max-decay POINTS] [--max-size RATIO] [--min-speedup RATIO] [--alpha P]]",
    run: reportCommand,
  },
  search: {
    usage:
      "search <model dir> (--budget 5bpw|300KB|1.2MB | --min-accuracy 91.5) [--out plan.json] [--validation N] [--calib METHOD] [--calib-size N] [--data DIR]",
    run: searchCommand,
  },
  qat: {
    usage:
      "qat <model dir> --out DIR [--plan PRESET|plan.json] [--epochs E] [--lsq] [--learn-bits --budget 5bpw] [--examples N] [--data DIR]",
    run: qatCommand,
  },
  compare: {
    usage:
      "compare <BASE.json> <NEW.json> [--format md|json] [--out FILE] [--max-decay POINTS] [--max-size RATIO] [--min-speedup RATIO] [--alpha P]",
    run: compareCommand,
  },
};
/** Exit code of a run whose gate failed (1 is an error, 2 a usage error). */
export const GATE_FAILED = 3;
const USAGE = `usage: quantlab <command> [arguments] [--threads N]\n${Object.values(
  COMMANDS,
)
  .map(({ usage }) => `  quantlab ${usage}`)
  .join(
    "\n",
  )}\n--threads N (any command): threads the engine uses; default: the cores available`;

type Print = (line: string) => void;
type Command = (
  args: Arguments,
  print: Print,
  printError: Print,
) => Promise<number>;

// web/lib/src/cli.ts and web/lib/dist/cli.js are both two levels below web/.
const appData = fileURLToPath(
  new URL("../../app/public/data/", import.meta.url),
);
const packageRoot = fileURLToPath(new URL("../../../", import.meta.url));

interface Arguments {
  positional: string[];
  options: Map<string, string>;
  /** Options that take no value (qat's --lsq, --learn-bits). */
  flags: Set<string>;
}

/** Options that are switches, without a value. */
const FLAGS = new Set(["lsq", "learn-bits"]);

function parseArguments(
  args: string[],
  known: string[],
  positionals: [count: number, what: string],
): Arguments {
  const parsed: Arguments = {
    positional: [],
    options: new Map(),
    flags: new Set(),
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) {
      parsed.positional.push(arg);
      continue;
    }
    const name = arg.slice(2);
    if (!known.includes(name) && name !== "threads")
      throw new Error(`unknown option ${arg}`);
    if (FLAGS.has(name)) {
      parsed.flags.add(name);
      continue;
    }
    if (i + 1 === args.length) throw new Error(`option ${arg} needs a value`);
    parsed.options.set(name, args[++i]!);
  }
  if (parsed.positional.length !== positionals[0])
    throw new Error(`needs exactly ${positionals[1]}`);
  return parsed;
}

function wholeNumber(args: Arguments, name: string, fallback: number): number {
  const text = args.options.get(name);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text))
    throw new Error(`--${name} must be a whole number, got '${text}'`);
  return Number(text);
}

/** An in-thread engine with --threads N when given (results do not depend on it). */
function labFor(args: Arguments): QuantLab {
  const threads = args.options.get("threads");
  if (threads === undefined) return createQuantLab({ worker: false });
  if (!/^[1-9]\d*$/.test(threads))
    throw new Error(
      `--threads must be a whole number from 1, got '${threads}'`,
    );
  return createQuantLab({ worker: false, threads: Number(threads) });
}

/** `dir` as given, or the package's own copy when only that exists. */
function modelDirectory(dir: string): string {
  const shipped = join(packageRoot, dir);
  return !existsSync(dir) && existsSync(shipped) ? shipped : dir;
}

/** `path`, or `path`.gz when only that exists. */
function readMaybeGzipped(path: string): Promise<Uint8Array> {
  return readFile(
    !existsSync(path) && existsSync(`${path}.gz`) ? `${path}.gz` : path,
  );
}

/** Runs `work`; an error's message gets `place` (the file or directory at fault) in front. */
async function naming<T>(place: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new Error(
      `${place}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

async function readModel(dir: string) {
  const found = modelDirectory(dir);
  const [manifest, weights] = await Promise.all([
    readFile(join(found, "manifest.json")),
    readFile(join(found, "model.safetensors")),
  ]);
  const quantized = "quantization" in JSON.parse(manifest.toString());
  return { manifest, weights, quantized };
}

async function loadAny(
  lab: QuantLab,
  dir: string,
): Promise<ModelHandle | QuantizedModelHandle> {
  return naming(dir, async () => {
    const { manifest, weights, quantized } = await readModel(dir);
    return quantized
      ? lab.loadQuantizedModel({ manifest, weights })
      : lab.loadModel({ manifest, weights });
  });
}

async function loadFp32(lab: QuantLab, dir: string): Promise<ModelHandle> {
  const handle = await loadAny(lab, dir);
  if (handle.kind !== "model")
    throw new Error(`${dir}: is already quantized; give the FP32 model`);
  return handle;
}

/** `split` ("test" or "calibration") of the model's dataset. */
function readSplit(
  lab: QuantLab,
  args: Arguments,
  dataset: string,
  split: string,
): Promise<IdxDataset> {
  const dir = args.options.get("data") ?? join(appData, dataset);
  return naming(dir, async () =>
    lab.parseIdxDataset(
      await readMaybeGzipped(join(dir, `${split}-images-idx3-ubyte`)),
      await readMaybeGzipped(join(dir, `${split}-labels-idx1-ubyte`)),
    ),
  );
}

/**
 * Training-split images for the search and the sensitivity table: the data folder's full
 * training split when it has one (raw or gzipped), else the package's calibration slice.
 */
async function readTraining(
  lab: QuantLab,
  args: Arguments,
  dataset: string,
): Promise<IdxDataset> {
  const dir = args.options.get("data") ?? join(appData, dataset);
  const hasTrain = ["", ".gz"].some((suffix) =>
    existsSync(join(dir, `train-images-idx3-ubyte${suffix}`)),
  );
  return readSplit(lab, args, dataset, hasTrain ? "train" : "calibration");
}

/**
 * --validation N (default 5000), capped so that the validation images (the last ones) and the
 * calibration images (the first ones) never overlap.
 */
function validationCount(args: Arguments, train: IdxDataset): number {
  const calibration = wholeNumber(args, "calib-size", 512);
  const wanted = wholeNumber(args, "validation", 5000);
  const available = train.count - Math.min(calibration, train.count - 1);
  return Math.max(1, Math.min(wanted, available));
}

/** A preset name, or a .json plan file. */
async function planOf(spec: string): Promise<PlanSpec> {
  if (!spec.endsWith(".json")) return spec as PlanSpec;
  return naming(spec, async () =>
    JSON.parse((await readFile(spec)).toString()),
  );
}

function calibrationOf(args: Arguments): Partial<CalibrationOptions> {
  const options: Partial<CalibrationOptions> = {
    samples: wholeNumber(args, "calib-size", 512),
  };
  const method = args.options.get("calib");
  if (method !== undefined)
    options.method = method as CalibrationOptions["method"];
  const percentile = args.options.get("percentile");
  if (percentile !== undefined) options.percentile = Number(percentile);
  return options;
}

const CALIBRATION_OPTIONS = ["calib", "percentile", "calib-size", "data"];
const THRESHOLD_OPTIONS = ["max-decay", "max-size", "min-speedup", "alpha"];

/** --max-decay, --max-size, --min-speedup and --alpha as the gate's thresholds. */
function thresholdsOf(args: Arguments): Partial<GateThresholds> {
  const thresholds: Partial<GateThresholds> = {};
  const names: [string, keyof GateThresholds][] = [
    ["max-decay", "maxDecay"],
    ["max-size", "maxSize"],
    ["min-speedup", "minSpeedup"],
    ["alpha", "alpha"],
  ];
  for (const [option, key] of names) {
    const text = args.options.get(option);
    if (text === undefined) continue;
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || value < 0)
      throw new Error(
        `--${option} must be a non-negative number, got '${text}'`,
      );
    thresholds[key] = value;
  }
  return thresholds;
}

/** A report file, checked by the engine (comparing it with itself) before any other work. */
async function readReport(lab: QuantLab, path: string): Promise<Report> {
  return naming(path, async () => {
    const report = JSON.parse((await readFile(path)).toString()) as Report;
    await lab.compareReports(report, report);
    return report;
  });
}

async function writeOutput(
  text: string,
  out: string | undefined,
  command: string,
  print: Print,
  printError: Print,
): Promise<void> {
  if (out === undefined) print(text.trimEnd());
  else {
    await writeFile(out, text);
    printError(`quantlab ${command}: wrote ${out}`);
  }
}

async function compareCommand(
  args: Arguments,
  print: Print,
  printError: Print,
): Promise<number> {
  const format = args.options.get("format") ?? "md";
  if (!["md", "json"].includes(format))
    throw new Error(`--format must be md or json, got '${format}'`);
  const thresholds = thresholdsOf(args);
  const lab = labFor(args);
  try {
    const [base, next] = await Promise.all(
      args.positional.map((path) => readReport(lab, path)),
    );
    const comparison = await lab.compareReports(base!, next!, thresholds);
    const out = args.options.get("out");
    await writeOutput(
      format === "json"
        ? `${JSON.stringify(comparison, null, 2)}\n`
        : await lab.comparisonMarkdown(comparison),
      out,
      "compare",
      print,
      printError,
    );
    // The verdict goes to stderr too unless the Markdown, which ends with it, went to stdout.
    if (format === "json" || out !== undefined)
      printError((await lab.gateSummary(comparison)).trimEnd());
    return comparison.gate.passed ? 0 : GATE_FAILED;
  } finally {
    await lab.dispose();
  }
}
const percent = (fraction: number) => `${(100 * fraction).toFixed(2)}%`;

async function evalCommand(args: Arguments, print: Print): Promise<number> {
  // In this thread: one short job, and no worker to start.
  const lab = labFor(args);
  try {
    const model = await loadAny(lab, args.positional[0]!);
    const { name, dataset, metrics } = model.manifest;
    const test = await readSplit(lab, args, dataset, "test");
    const result = await lab.evaluate(model, test);
    const plan =
      model.kind === "quantized-model" ? ` (${model.plan.name})` : "";
    print(
      `${name}${plan}: test accuracy ${percent(result.accuracy)} (${result.correct} / ${result.count}) on ${dataset}`,
    );
    // The manifest records what training (or quantize) measured; the same weights and data
    // must reproduce it.
    const recorded = (metric: string): number => {
      const value = metrics[metric];
      if (value === undefined)
        throw new Error(`manifest.json metrics has no '${metric}'`);
      return value;
    };
    const reproduced =
      recorded("test_correct") === result.correct &&
      recorded("test_count") === result.count;
    print(
      `recorded in manifest: ${percent(recorded("test_accuracy"))} (${recorded("test_correct")} / ${recorded("test_count")}): ${reproduced ? "reproduced" : "NOT reproduced"}`,
    );
    return reproduced ? 0 : 1;
  } finally {
    await lab.dispose();
  }
}

/**
 * Evaluates a quantized model on the test split and writes its files to `out`, the manifest
 * recording what was measured, so that `quantlab eval out` checks the file reproduces it.
 */
async function evaluateAndSave(
  lab: QuantLab,
  args: Arguments,
  quantized: QuantizedModelHandle,
  out: string,
): Promise<Evaluation> {
  const test = await readSplit(lab, args, quantized.manifest.dataset, "test");
  const measured = await lab.evaluate(quantized, test);
  const { manifestJson, weights } = await lab.saveModel(quantized);
  const manifest = JSON.parse(manifestJson);
  manifest.metrics = {
    test_accuracy: measured.accuracy,
    test_correct: measured.correct,
    test_count: measured.count,
    weight_bytes: quantized.weightBytes,
    bits_per_weight: quantized.bitsPerWeight,
  };
  await mkdir(out, { recursive: true });
  await writeFile(
    join(out, "manifest.json"),
    `${JSON.stringify(manifest, null, 2)}\n`,
  );
  await writeFile(join(out, "model.safetensors"), weights);
  return measured;
}

async function quantizeCommand(args: Arguments, print: Print): Promise<number> {
  const out = args.options.get("out");
  if (out === undefined) throw new Error("quantize needs --out DIR");
  const lab = labFor(args);
  try {
    const model = await loadFp32(lab, args.positional[0]!);
    const { dataset } = model.manifest;
    const calibration = await readSplit(lab, args, dataset, "calibration");
    const quantized = await lab.quantizeModel(model, calibration, {
      plan: await planOf(args.options.get("plan") ?? "int8"),
      calibration: calibrationOf(args),
    });
    const result = await evaluateAndSave(lab, args, quantized, out);
    print(
      `${model.manifest.name} (${quantized.plan.name}): test accuracy ${percent(result.accuracy)} (${result.correct} / ${result.count}), ${quantized.bitsPerWeight.toFixed(2)} bits per weight, ${quantized.weightBytes} bytes of weights; saved to ${out}`,
    );
    return 0;
  } finally {
    await lab.dispose();
  }
}

/** Whether `dir` holds a language model (its manifest's format is "quantlab-lm"). */
async function isLanguageModel(dir: string): Promise<boolean> {
  const manifest = await naming(dir, () =>
    readFile(join(modelDirectory(dir), "manifest.json")),
  );
  return (
    (JSON.parse(manifest.toString()) as { format?: string }).format ===
    "quantlab-lm"
  );
}

async function loadLanguageModel(
  lab: QuantLab,
  dir: string,
): Promise<LanguageModelHandle> {
  return naming(dir, async () => {
    const found = modelDirectory(dir);
    const [manifest, weights] = await Promise.all([
      readFile(join(found, "manifest.json")),
      readFile(join(found, "model.safetensors")),
    ]);
    return lab.loadLanguageModel({ manifest, weights });
  });
}

/**
 * The test text or the calibration text of a language model's corpus: the package's gzipped
 * slices (web/app/public/data/<dataset>/{test,calibration}-corpus.txt.gz), or with --data the
 * native build's files of the same bytes (test.txt, calibration.txt), which the native CLI reads.
 */
async function readCorpus(
  args: Arguments,
  dataset: string,
  split: "test" | "calibration",
): Promise<string> {
  const data = args.options.get("data");
  if (data !== undefined)
    return naming(data, async () =>
      (await readFile(join(data, `${split}.txt`))).toString("latin1"),
    );
  const path = join(appData, dataset, `${split}-corpus.txt.gz`);
  return naming(path, async () =>
    gunzipSync(await readFile(path)).toString("latin1"),
  );
}

/**
 * Runs `work` on a language model loaded from the first positional argument, with the
 * calibration text every quantizing LM command reads, in an in-thread engine (--threads)
 * disposed afterwards.
 */
async function withLanguageModel<T>(
  args: Arguments,
  work: (
    lab: QuantLab,
    model: LanguageModelHandle,
    calibrationText: string,
  ) => Promise<T>,
): Promise<T> {
  const lab = labFor(args);
  try {
    const model = await loadLanguageModel(lab, args.positional[0]!);
    return await work(
      lab,
      model,
      await readCorpus(args, model.manifest.dataset, "calibration"),
    );
  } finally {
    await lab.dispose();
  }
}

/** A report's machine line: the engine build and threads it really ran with (`lab.info()`). */
async function machineOf(lab: QuantLab): Promise<string> {
  const { threads, build } = await lab.info();
  return `wasm ${await lab.simdKernels()} in Node ${process.version}, ${threads} ${threads === 1 ? "thread" : "threads"} (${build === "threads" ? "pthreads" : "single-threaded"} engine build), on ${cpus()[0]?.model ?? "unknown CPU"} (${cpus().length} logical cores, ${platform()} ${arch()})`;
}

function languageModelReportCommand(
  args: Arguments,
  print: Print,
  printError: Print,
): Promise<number> {
  return withLanguageModel(args, async (lab, model, calibrationText) => {
    const plans = args.options.get("plans")?.split(",").filter(Boolean);
    let stage = "";
    const report = await lab.languageModelReport(
      model,
      await readCorpus(args, model.manifest.dataset, "test"),
      calibrationText,
      {
        ...(plans === undefined
          ? {}
          : { plans: await Promise.all(plans.map(planOf)) }),
        tokens: wholeNumber(args, "tokens", 16384),
        calibrationWindows: wholeNumber(args, "calib-size", 64),
        speedRounds: wholeNumber(args, "speed-rounds", 5),
        onProgress: (p) => {
          if (p.message !== undefined && p.message !== stage) {
            stage = p.message;
            printError(`quantlab report: ${stage}`);
          }
        },
      },
    );
    await writeOutput(
      `${report.markdown}\nMachine: ${await machineOf(lab)}.\n`,
      args.options.get("out"),
      "report",
      print,
      printError,
    );
    return 0;
  });
}

function generateCommand(
  args: Arguments,
  print: Print,
  printError: Print,
): Promise<number> {
  return withLanguageModel(args, async (lab, model, calibrationText) => {
    const temperature = Number(args.options.get("temperature") ?? "0.8");
    if (!Number.isFinite(temperature) || temperature < 0)
      throw new Error("--temperature must be a number ≥ 0");
    const { continuations } = await lab.generateText(
      model,
      args.options.get("prompt") ?? "",
      calibrationText,
      {
        plans: [await planOf(args.options.get("plan") ?? "fp32")],
        tokens: wholeNumber(args, "tokens", 200),
        temperature,
        seed: wholeNumber(args, "seed", 1),
      },
    );
    const [only] = continuations;
    print(only!.text);
    printError(
      `${only!.plan}: ${only!.tokens.length} tokens, ${only!.tokensPerSecond.toFixed(0)} tokens/s generating`,
    );
    return 0;
  });
}

async function reportCommand(
  args: Arguments,
  print: Print,
  printError: Print,
): Promise<number> {
  if (await isLanguageModel(args.positional[0]!))
    return languageModelReportCommand(args, print, printError);
  const format = args.options.get("format") ?? "md";
  if (!["md", "json", "csv"].includes(format))
    throw new Error(`--format must be md, json or csv, got '${format}'`);
  const thresholds = thresholdsOf(args);
  const baselinePath = args.options.get("baseline");
  if (baselinePath === undefined && Object.keys(thresholds).length > 0)
    throw new Error(
      "--max-decay, --max-size, --min-speedup and --alpha need --baseline FILE",
    );
  const lab = labFor(args);
  try {
    // The baseline is checked before any work.
    const baseline =
      baselinePath === undefined
        ? undefined
        : await readReport(lab, baselinePath);
    const model = await loadFp32(lab, args.positional[0]!);
    const { dataset } = model.manifest;
    const plans = await Promise.all(
      (
        args.options.get("plans")?.split(",").filter(Boolean) ?? [
          ...DEFAULT_REPORT_PLANS,
        ]
      ).map(planOf),
    );
    const options: Partial<ReportOptions> = {
      plans,
      calibration: calibrationOf(args),
      speedRounds: wholeNumber(args, "speed-rounds", 5),
      machine: await machineOf(lab),
      command: ["quantlab report", ...process.argv.slice(3)].join(" "),
      int4Methods: args.options.get("int4-methods") === "yes",
    };
    const test = await readSplit(lab, args, dataset, "test");
    const calibration = await readSplit(lab, args, dataset, "calibration");
    const searchBudget = args.options.get("search");
    if (args.options.has("validation") || searchBudget !== undefined) {
      const train = await readTraining(lab, args, dataset);
      options.validation = train;
      options.validationCount = validationCount(args, train);
      options.searchBudget = searchBudget;
    }
    let stage = "";
    const report = await lab.report(model, test, calibration, {
      ...options,
      onProgress: (p) => {
        if (p.message !== undefined && p.message !== stage) {
          stage = p.message;
          printError(`quantlab report: ${stage}`);
        }
      },
    });
    const text =
      format === "json"
        ? `${JSON.stringify(report, null, 2)}\n`
        : format === "csv"
          ? await lab.reportCsv(report)
          : await lab.reportMarkdown(report);
    await writeOutput(
      text,
      args.options.get("out"),
      "report",
      print,
      printError,
    );
    if (baseline === undefined) return 0;
    const comparison: ReportComparison = await lab.compareReports(
      baseline,
      report,
      thresholds,
    );
    printError((await lab.comparisonMarkdown(comparison)).trimEnd());
    return comparison.gate.passed ? 0 : GATE_FAILED;
  } finally {
    await lab.dispose();
  }
}

async function searchCommand(
  args: Arguments,
  print: Print,
  printError: Print,
): Promise<number> {
  const budget = args.options.get("budget");
  const floor = args.options.get("min-accuracy");
  if ((budget === undefined) === (floor === undefined))
    throw new Error(
      "search needs one of --budget (e.g. 5bpw, 300KB) and --min-accuracy (e.g. 91.5)",
    );
  const lab = labFor(args);
  try {
    const model = await loadFp32(lab, args.positional[0]!);
    const train = await readTraining(lab, args, model.manifest.dataset);
    const start = performance.now();
    const result = await lab.search(model, train, {
      budget: budget ?? `${floor}%`,
      validation: validationCount(args, train),
      calibration: calibrationOf(args),
      onProgress: (p) => printError(`quantlab search: ${p.message ?? ""}`),
    });
    print(
      `# ${model.manifest.name}: mixed-precision search\n\n${result.markdown}\nSearch time: ${((performance.now() - start) / 1000).toFixed(1)} s (${await machineOf(lab)}).`,
    );
    const out = args.options.get("out");
    if (out !== undefined) {
      await writeFile(out, `${JSON.stringify(result.chosenPlan, null, 2)}\n`);
      printError(`quantlab search: wrote ${out}`);
    }
    return result.budgetMet ? 0 : 3;
  } finally {
    await lab.dispose();
  }
}

async function qatCommand(
  args: Arguments,
  print: Print,
  printError: Print,
): Promise<number> {
  const out = args.options.get("out");
  if (out === undefined) throw new Error("qat needs --out DIR");
  const budget = args.options.get("budget") ?? "5bpw";
  if (!/^\d+(\.\d+)?bpw$/.test(budget))
    throw new Error(
      `qat --budget takes bits per weight (e.g. 5bpw), got '${budget}'`,
    );
  const lab = labFor(args);
  try {
    const model = await loadFp32(lab, args.positional[0]!);
    const { dataset } = model.manifest;
    const train = await readTraining(lab, args, dataset);
    const result = await lab.qat(model, train, {
      plan: await planOf(args.options.get("plan") ?? "w4a8"),
      epochs: wholeNumber(args, "epochs", 1),
      examplesPerEpoch: wholeNumber(args, "examples", 0),
      lsq: args.flags.has("lsq"),
      learnBits: args.flags.has("learn-bits"),
      budgetBits: Number.parseFloat(budget),
      onProgress: ({ detail }) => {
        if (detail !== undefined && detail.batch === detail.batches)
          printError(
            `quantlab qat: epoch ${detail.epoch}/${detail.epochs}  loss ${detail.loss.toFixed(4)}  train accuracy ${percent(detail.accuracy)}`,
          );
      },
    });
    const measured = await evaluateAndSave(lab, args, result.model, out);
    print(
      `${model.manifest.name} (${result.model.plan.name}, QAT ${result.epochsCompleted} epoch(s)${result.bits.length ? ", learned bits" : ""}): test accuracy ${percent(measured.accuracy)} (${measured.correct} / ${measured.count}) on the integer kernels, ${result.model.bitsPerWeight.toFixed(2)} bits per weight; ${result.seconds.toFixed(1)} s; saved to ${out}`,
    );
    return 0;
  } finally {
    await lab.dispose();
  }
}

const KNOWN: Record<string, string[]> = {
  eval: ["data"],
  quantize: ["out", "plan", ...CALIBRATION_OPTIONS],
  report: [
    "plans",
    "format",
    "out",
    "speed-rounds",
    "int4-methods",
    "validation",
    "search",
    ...CALIBRATION_OPTIONS,
    "baseline",
    ...THRESHOLD_OPTIONS,
    "tokens",
  ],
  generate: ["plan", "prompt", "tokens", "temperature", "seed", "data"],
  search: [
    "budget",
    "min-accuracy",
    "out",
    "validation",
    ...CALIBRATION_OPTIONS,
  ],
  qat: ["plan", "out", "epochs", "budget", "examples", "data", ...FLAGS],
  compare: ["format", "out", ...THRESHOLD_OPTIONS],
};
const MODEL_DIRECTORY: [number, string] = [1, "one model directory"];
const POSITIONALS: Record<string, [number, string]> = {
  eval: MODEL_DIRECTORY,
  quantize: MODEL_DIRECTORY,
  report: MODEL_DIRECTORY,
  generate: MODEL_DIRECTORY,
  search: MODEL_DIRECTORY,
  qat: MODEL_DIRECTORY,
  compare: [2, "two reports: BASE.json NEW.json"],
};

/** Runs the CLI on `args` (the arguments after `quantlab`); resolves to the exit code. */
export async function main(
  args: string[],
  print: Print = console.log,
  printError: Print = console.error,
): Promise<number> {
  const [command, ...rest] = args;
  if (command === "--help" || command === "help") {
    print(USAGE);
    return 0;
  }
  const entry = command === undefined ? undefined : COMMANDS[command];
  if (entry === undefined) {
    printError(
      command === undefined
        ? USAGE
        : `quantlab: unknown command '${command}'\n${USAGE}`,
    );
    return 2;
  }
  try {
    return await entry.run(
      parseArguments(rest, KNOWN[command!]!, POSITIONALS[command!]!),
      print,
      printError,
    );
  } catch (error) {
    printError(
      `quantlab ${command}: error: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
}

// Run when executed (directly or through the npm bin link), not when imported by tests.
const invokedAs = process.argv[1];
if (
  invokedAs !== undefined &&
  pathToFileURL(realpathSync(invokedAs)).href === import.meta.url
) {
  process.exitCode = await main(process.argv.slice(2));
}
