// `npm run bench`: the benchmark in Node against ONNX Runtime Web in the same process, both at
// the same thread count. Prints the roofline, the table, the output agreement with ONNX Runtime
// and the issue's target checks; writes everything as JSON to bench-results/.
//   --quick        shorter warm-up and fewer samples (a rough run)
//   --no-ort       skip ONNX Runtime
//   --case=TEXT    only kernel cases whose name contains TEXT (repeatable)
//   --models-only  only the end-to-end model rows (scripts/bench/models.ts)
//   --kernels-only only the kernel rows
//   --threads=N    threads for ours and ONNX Runtime (default: the cores available); with more
//                  than 1, our kernels and fashion-cnn's evaluation are also timed on 1 thread
//                  in the same interleaved samples (the "×1 thread" column and rows)
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { resolve } from "node:path";
import * as ort from "onnxruntime-web";
import { loadRawModule } from "../../web/lib/src/index.node";
import type { BenchModule } from "../../web/app/src/bench/bench-module";
import { ISSUE_CASES, KERNEL_KINDS } from "../../web/app/src/bench/cases";
import { ISSUE_PROBES } from "../../web/app/src/bench/roofline";
import { runBench } from "../../web/app/src/bench/runner";
import { benchModels, formatModelBench } from "./models";
import { formatReport } from "../../web/app/src/bench/report";
import { DEFAULT_TIMING, QUICK_TIMING } from "../../web/app/src/bench/timing";

const args = process.argv.slice(2);
const unknown = args.filter(
  (a) =>
    a !== "--quick" &&
    a !== "--no-ort" &&
    a !== "--models-only" &&
    a !== "--kernels-only" &&
    !a.startsWith("--case=") &&
    !/^--threads=[1-9][0-9]*$/.test(a),
);
if (unknown.length > 0) {
  console.error(`unknown option(s): ${unknown.join(" ")}`);
  process.exit(2);
}
const caseFilters = args
  .filter((a) => a.startsWith("--case="))
  .map((a) => a.slice("--case=".length));
const cases = ISSUE_CASES.filter(
  (c) =>
    caseFilters.length === 0 || caseFilters.some((f) => c.name.includes(f)),
);

const threadsArg = args.find((a) => a.startsWith("--threads="));
const threads = threadsArg
  ? Number(threadsArg.slice("--threads=".length))
  : availableParallelism();
// The raw Embind module holds the bench bindings besides the library's typed API.
const engine: BenchModule = await loadRawModule({ threads });
const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, Node ${process.version}`;
console.log(
  `QuantLab benchmark: ${threads} thread${threads === 1 ? "" : "s"} (ours and ONNX Runtime), wasm SIMD128${engine.simdKernels() === "relaxed-simd" ? " and relaxed SIMD" : " (relaxed SIMD unavailable)"}; ${machine}`,
);

// Every run's figures as JSON in bench-results/, named by when the run started.
const startedAt = new Date().toISOString();
function writeResults(results: object): void {
  const outDir = resolve(process.cwd(), "bench-results");
  mkdirSync(outDir, { recursive: true });
  const file = resolve(outDir, `bench-${startedAt.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults written to ${file}`);
}

const timing = args.includes("--quick") ? QUICK_TIMING : DEFAULT_TIMING;
const models = args.includes("--kernels-only")
  ? undefined
  : await benchModels(
      args.includes("--no-ort") ? undefined : ort,
      timing,
      threads,
      (step) => process.stderr.write(`\r${step}`.padEnd(60)),
    );
if (models) {
  process.stderr.write("\n");
  console.log(
    `\nWhole models (ms per call, median of interleaved samples):\n${formatModelBench(models)}\n`,
  );
}
if (args.includes("--models-only")) {
  writeResults({ startedAt, environment: machine, timing, models });
  process.exit(0);
}

const benchReport = await runBench(engine, {
  cases,
  kinds: KERNEL_KINDS,
  timing,
  probes: ISSUE_PROBES,
  ort: args.includes("--no-ort") ? undefined : ort,
  threads,
  agreementCase: ISSUE_CASES[0]!.name,
  environment: machine,
  onProgress: (p) =>
    process.stderr.write(`\r[${p.done}/${p.total}] ${p.step}`.padEnd(60)),
});
process.stderr.write("\n");
console.log(formatReport(benchReport));

writeResults({ ...benchReport, models });
