// The bench page: runs the shared benchmark runner in a module Worker (bench-worker.ts), one
// request per case and per model so rows appear as they are measured; Cancel terminates the
// worker; the finished run downloads as JSON.
import { download } from "../shell/download";
import { renderNav } from "../shell/nav";
import { createWorkerClient } from "quantlab";
import type { BenchWorkerMethods } from "./bench-worker";
import { renderBody, renderHeader } from "./html-table";
import { BENCH_MODELS, MODEL_BATCHES, type ModelRow } from "./model-rows";
import { fetchModelFiles, ModelSection, PAGE_PLANS } from "./model-section";
import { modelTargets } from "./model-table";
import { ISSUE_CASES, KERNEL_KINDS, KIND_LABELS } from "./cases";
import { formatAgreement, formatDotAddCeiling } from "./report";
import type { Agreement } from "./agreement";
import type { Roofline } from "./roofline";
import type { KernelResult } from "./results";
import { RooflineChart } from "./roofline-chart";
import {
  formatRoofline,
  isNumericKernelColumn,
  TABLE_HEADER,
  tableRow,
} from "./table";
import { checkTargets, formatCheck, type TargetCheck } from "./targets";
import { DEFAULT_TIMING, QUICK_TIMING, type TimingOptions } from "./timing";

renderNav();

const byId = <T extends HTMLElement>(id: string) =>
  document.getElementById(id) as T;
const form = byId<HTMLFormElement>("controls");
const startButton = byId<HTMLButtonElement>("start");
const cancelButton = byId<HTMLButtonElement>("cancel");
const progressBar = byId<HTMLProgressElement>("progress");
const status = byId<HTMLParagraphElement>("status");
const table = byId<HTMLTableElement>("results");
const chart = new RooflineChart(byId<HTMLCanvasElement>("roofline-chart"));
const models = new ModelSection(
  byId<HTMLTableElement>("model-results"),
  byId<HTMLUListElement>("model-checks"),
);
const downloadButton = byId<HTMLButtonElement>("download");

const worker = createWorkerClient<BenchWorkerMethods>(
  () =>
    new Worker(new URL("./bench-worker.ts", import.meta.url), {
      type: "module",
    }),
  // The bench handlers never check for an abort: Cancel ends the worker at once.
  { abort: "terminate" },
);
let abort: AbortController | undefined;

/** The last run's figures, as the JSON download holds them. */
interface PageReport {
  startedAt: string;
  environment: string;
  threads: string;
  timing: TimingOptions;
  roofline?: Roofline;
  results: KernelResult[];
  agreement: Agreement[];
  checks: TargetCheck[];
  unavailable: string[];
  models: { plans: readonly string[]; rows: ModelRow[]; checks: TargetCheck[] };
}
let report: PageReport | undefined;

function render(
  roofline: Roofline | undefined,
  results: readonly KernelResult[],
  agreement: readonly Agreement[],
): void {
  byId("roofline-summary").textContent = roofline
    ? formatRoofline(roofline)
    : "Not measured yet.";
  renderBody(
    table,
    results.map(tableRow),
    isNumericKernelColumn,
    (i) => i > 0 && results[i - 1]!.caseName !== results[i]!.caseName,
  );
  const list = (id: string, lines: string[]) =>
    byId(id).replaceChildren(
      ...lines.map((line) =>
        Object.assign(document.createElement("li"), { textContent: line }),
      ),
    );
  const ceiling = roofline && formatDotAddCeiling(roofline, results);
  list("checks", [
    ...(results.length > 0 ? checkTargets(results).map(formatCheck) : []),
    ...(ceiling ? [ceiling] : []),
  ]);
  list("agreement", agreement.map(formatAgreement));
  const summary = [...plainSummary(results), ...models.summary()];
  if (summary.length > 0) list("summary", summary);
  chart.update(roofline, results);
}

// One sentence per case in plain words: each quantized kernel's speed against FP32, and why.
function plainSummary(results: readonly KernelResult[]): string[] {
  const cases = [...new Set(results.map((r) => r.caseName))];
  return cases.flatMap((name) => {
    const rows = results.filter(
      (r) =>
        r.caseName === name && r.kind !== "f32" && r.speedupVsF32 !== undefined,
    );
    if (rows.length === 0) return [];
    const best = rows.reduce((a, b) =>
      b.speedupVsF32! > a.speedupVsF32! ? b : a,
    );
    const op = best.op;
    const why =
      op === "gemv"
        ? "a matrix–vector product is limited by memory bandwidth, and its weights are 4–8× smaller than FP32's"
        : op === "gemm"
          ? "a batched product reuses each weight, so the integer dot-product instructions' arithmetic rate decides"
          : "a convolution reuses each weight across the image, so arithmetic decides, and these layers are small";
    const all = rows
      .map((r) => `${KIND_LABELS[r.kind]} ${r.speedupVsF32!.toFixed(1)}×`)
      .join(", ");
    return [
      `${name}: ${KIND_LABELS[best.kind]} ran ${best.speedupVsF32!.toFixed(1)}× ${best.speedupVsF32! >= 1 ? "faster" : "slower"} than FP32 on this device (${all}), because ${why}.`,
    ];
  });
}

async function run(): Promise<void> {
  const options = new FormData(form);
  const withOrt = options.has("ort");
  const timing = options.has("quick") ? QUICK_TIMING : DEFAULT_TIMING;
  // `?case=TEXT` (repeatable) keeps the cases whose name contains TEXT, as `npm run bench`'s
  // --case does (scripts/bench/chromium.ts runs the page that way).
  const only = new URLSearchParams(location.search).getAll("case");
  const cases = options.has("kernels")
    ? ISSUE_CASES.filter(
        (c) =>
          !(options.has("small") && c.op === "gemv" && c.k === 4096) &&
          (only.length === 0 || only.some((text) => c.name.includes(text))),
      )
    : [];
  const modelNames = options.has("models") ? BENCH_MODELS : [];
  abort = new AbortController();
  const signal = abort.signal;
  const results: KernelResult[] = [];
  const agreement: Agreement[] = [];
  const unavailable: string[] = [];
  // The roofline, each case's kinds, and each model (counted as one kind per plan and batch).
  const modelSteps = PAGE_PLANS.length + MODEL_BATCHES.length;
  const steps =
    (cases.length > 0 ? 1 + cases.length * KERNEL_KINDS.length : 0) +
    modelNames.length * modelSteps;
  let done = 0;
  const show = (message: string, fraction = 0) => {
    progressBar.value = (done + fraction) / steps;
    status.textContent = message;
  };
  report = {
    startedAt: new Date().toISOString(),
    environment: navigator.userAgent,
    threads: byId("threads").textContent ?? "",
    timing,
    results,
    agreement,
    checks: [],
    unavailable,
    models: { plans: PAGE_PLANS, rows: models.rows, checks: [] },
  };

  startButton.disabled = true;
  cancelButton.disabled = false;
  downloadButton.disabled = true;
  render(undefined, results, agreement);
  models.clear();
  try {
    if (cases.length > 0) {
      show(
        "Measuring the roofline (256 MiB streaming read, f32 and i16-dot peaks, dot + accumulate)…",
      );
      const roofline = await worker.call("roofline", [timing], { signal });
      report.roofline = roofline;
      done += 1;
      render(roofline, results, agreement);
      for (const [i, c] of cases.entries()) {
        show(`${c.name}…`);
        const outcome = await worker.call(
          "runCase",
          [
            {
              caseName: c.name,
              kinds: KERNEL_KINDS,
              timing,
              roofline,
              withOrt,
              checkAgreement: i === 0,
            },
          ],
          {
            signal,
            onProgress: (p) =>
              show(
                `${c.name}: finished ${p.message ?? ""} (${p.done}/${p.total})`,
              ),
          },
        );
        done += KERNEL_KINDS.length;
        results.push(...outcome.results);
        agreement.push(...outcome.agreement);
        unavailable.push(...outcome.unavailable);
        render(roofline, results, agreement);
      }
      report.checks = checkTargets(results);
    }
    for (const name of modelNames) {
      show(`${name}: fetching the model and its test images…`);
      const files = await fetchModelFiles(name);
      const rows = await worker.call(
        "runModel",
        [{ files, plans: PAGE_PLANS, timing, withOrt }],
        {
          signal,
          onProgress: (p) => show(`${p.message ?? name}…`, p.done),
        },
      );
      done += modelSteps;
      models.add(rows);
      report.models.checks = modelTargets(models.rows);
      render(report.roofline, results, agreement);
    }
    show(
      `Done: ${results.length} kernel runs, ${models.rows.length} model rows.` +
        (unavailable.length
          ? ` Not in this engine build: ${unavailable.join(", ")}.`
          : ""),
    );
    downloadButton.disabled = false;
  } catch (error) {
    show(
      signal.aborted
        ? `Cancelled after ${results.length} kernel runs and ${models.rows.length} model rows.`
        : `Failed: ${String(error)}`,
    );
  } finally {
    startButton.disabled = false;
    cancelButton.disabled = true;
  }
}

// The kernels the engine runs here, said before any run.
worker.call("simdKernels", []).then(
  (kernels) => {
    byId("simd-kernels").textContent =
      kernels === "relaxed-simd"
        ? "This browser runs relaxed SIMD: the int8 rows are timed on both the relaxed-SIMD and the SIMD128 kernels (same outputs)."
        : "Only the SIMD128 kernels run: this browser has no relaxed SIMD.";
  },
  (error: unknown) => {
    byId("simd-kernels").textContent =
      `SIMD kernels: unknown (${String(error)})`;
  },
);

// The threads every row runs with (ours and ONNX Runtime), and why that many.
worker.call("threads", []).then(
  (info) => {
    byId("threads").textContent =
      `Threads: ${info.threads} (ours and ONNX Runtime Web) — ${info.note}.`;
    byId("model-threads").textContent =
      `${info.threads} thread${info.threads === 1 ? "" : "s"}`;
  },
  (error: unknown) => {
    byId("threads").textContent = `Threads: unknown (${String(error)})`;
  },
);

renderHeader(table, TABLE_HEADER, isNumericKernelColumn);
form.addEventListener("submit", (event) => {
  event.preventDefault();
  void run();
});
cancelButton.addEventListener("click", () => abort?.abort());
downloadButton.addEventListener("click", () => {
  if (report === undefined) return;
  const stamp = report.startedAt.replace(/[:.]/g, "-");
  download(
    `bench-${stamp}.json`,
    `${JSON.stringify(report, null, 2)}\n`,
    "application/json",
  );
});
