// Compare (the landing view): FP32 and every preset plan on a model's whole test set, through
// the library's report; the seed table, two charts, the flipped images and the exports.
import { renderNav } from "../shell/nav";
import type {
  IdxDataset,
  PlanSpec,
  QuantizedModelHandle,
  Report,
  ReportRow,
} from "quantlab";
import {
  lab,
  loadDataset,
  loadShippedModel,
  loadUploadedModel,
  plainError,
  type UploadedModel,
} from "../shell/lab";
import {
  CALIBRATION_METHODS,
  PRESETS,
  planName,
  readSession,
  updateSession,
  type CalibrationMethod,
} from "../shell/session";
import { download } from "../shell/download";
import {
  accuracyWithInterval,
  argmax,
  byId,
  el,
  imageCanvas,
  Job,
  kb,
  pct,
  points,
  setState,
  times,
  topK,
  twoLines,
} from "../shell/ui";
import { modelPicker } from "../shell/ui";
import { browserMachine, threadsPhrase } from "../shell/machine";
import { keepRun } from "./history-note";
import { takeHandoff } from "../shell/handoff";

renderNav();

const session = readSession();
const form = byId<HTMLFormElement>("controls");
modelPicker(session.model);
const model = () => byId<HTMLSelectElement>("model");
const planSelect = byId<HTMLSelectElement>("plan");
const calibSelect = byId<HTMLSelectElement>("calib");
const upload = byId<HTMLInputElement>("upload");
const modelError = byId("model-error");
const job = new Job(byId("job"));
const flipJob = new Job(byId("flip-job"));

for (const name of PRESETS)
  planSelect.append(el("option", { value: name, text: name }));
if (typeof session.plan !== "string")
  planSelect.append(
    el("option", {
      value: "session",
      text: `${planName(session.plan)} (from Layers)`,
    }),
  );
planSelect.value = typeof session.plan === "string" ? session.plan : "session";
for (const name of CALIBRATION_METHODS)
  calibSelect.append(
    el("option", { value: name, text: name.replaceAll("_", " ") }),
  );
calibSelect.value = session.calib;

let uploaded: UploadedModel | undefined;
let last:
  | {
      report: Report;
      test: IdxDataset;
      calibration: IdxDataset;
      labels: string[];
    }
  | undefined;

const focusPlan = (): PlanSpec =>
  planSelect.value === "session"
    ? readSession().plan
    : (planSelect.value as PlanSpec);
const plansToRun = (): PlanSpec[] => {
  const plan = focusPlan();
  return typeof plan === "string" ? [...PRESETS] : [...PRESETS, plan];
};

model().addEventListener("change", () => {
  uploaded = undefined;
  upload.value = "";
  clearResults();
  updateSession({ model: model().value });
  describeModel();
});
planSelect.addEventListener("change", () => {
  if (planSelect.value !== "session")
    updateSession({ plan: planSelect.value as PlanSpec });
});
calibSelect.addEventListener("change", () =>
  updateSession({ calib: calibSelect.value as CalibrationMethod }),
);

async function describeModel(): Promise<void> {
  const summary = byId("model-summary");
  try {
    const loaded = uploaded ?? {
      kind: "model" as const,
      ...(await loadShippedModel(model().value)),
    };
    const m = loaded.handle.manifest;
    summary.textContent = `${loaded.source}: ${m.dataset} images, ${m.labels.length} classes.`;
    if (loaded.kind === "quantized-model")
      summary.textContent += ` A quantized model (${loaded.handle.bitsPerWeight.toFixed(2)} bits per weight): Run evaluates it on the test set.`;
    setState("ready");
  } catch (error) {
    summary.textContent = plainError(error);
    setState("error");
  }
}

upload.addEventListener("change", () => {
  if (upload.files !== null && upload.files.length > 0)
    void useFiles(upload.files);
});

/** Uses a model's files (picked, or handed over by another view) instead of a shipped model. */
async function useFiles(files: FileList | File[]): Promise<void> {
  modelError.hidden = true;
  try {
    uploaded = await loadUploadedModel(files);
    clearResults();
    await describeModel();
  } catch (error) {
    uploaded = undefined;
    modelError.textContent = `Could not use these files. ${plainError(error)} The shipped model ${model().value} is still selected.`;
    modelError.hidden = false;
    upload.value = "";
    setState("ready");
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void runComparison();
});

async function runComparison(): Promise<void> {
  // Chart.js is parsed while the engine works, not in one go when the results arrive.
  void import("./charts");
  const rounds = Number(byId<HTMLSelectElement>("rounds").value);
  await job.run(async (signal, report) => {
    const loaded = uploaded ?? {
      kind: "model" as const,
      ...(await loadShippedModel(model().value)),
    };
    const dataset = loaded.handle.manifest.dataset;
    const test = await loadDataset(dataset, "test", (done, total) =>
      report(
        total ? (0.5 * done) / total : 0,
        `Downloading the ${dataset} test images: ${kb(done)}${total ? ` of ${kb(total)}` : ""}`,
      ),
    );
    if (loaded.kind === "quantized-model") {
      const evaluation = await lab.evaluate(loaded.handle, test, {
        signal,
        onProgress: ({ done, total }) =>
          report(done / total, `Evaluating: ${done} of ${total} images`),
      });
      showQuantizedOnly(loaded.handle, evaluation.accuracy, evaluation.count);
      job.report(
        1,
        `Evaluated ${evaluation.count.toLocaleString("en")} test images.`,
      );
      return;
    }
    const calibration = await loadDataset(dataset, "calibration");
    const plans = plansToRun();
    let stages = 0;
    const started = performance.now();
    // Where the time goes, by the engine's stages (each until the next one's first event);
    // "starting" is the data's way into the worker and the engine.
    const timing = new Map<string, number>();
    let stage = "starting";
    let since = started;
    const result = await lab.report(loaded.handle, test, calibration, {
      plans,
      speedRounds: rounds,
      machine: browserMachine((await lab.info()).threads),
      command: `QuantLab lab, Compare: ${location.href}`,
      calibration: {
        method: calibSelect.value as CalibrationMethod,
        samples: readSession().calibSize,
      },
      signal,
      onProgress: ({ done, total, message }) => {
        const now = performance.now();
        timing.set(stage, (timing.get(stage) ?? 0) + now - since);
        [stage, since] = [message ?? "", now];
        if (done === total) stages++;
        report(
          Math.min(1, stages / (plans.length + 1 + (rounds > 0 ? 1 : 0))),
          `${message ?? ""}: ${done.toLocaleString("en")} of ${total.toLocaleString("en")}`,
        );
      },
    });
    const ended = performance.now();
    timing.set(`${stage} and the results' way back`, ended - since);
    const seconds = (ended - started) / 1000;
    result.created = new Date().toISOString();
    fp32Logits = undefined;
    last = {
      report: result,
      test,
      calibration,
      labels: loaded.handle.manifest.labels,
    };
    await showReport(result);
    await keepRun(result, uploaded === undefined);
    job.report(
      1,
      `FP32 and ${plans.length} plans on ${result.test_examples.toLocaleString("en")} test images in ${seconds.toFixed(1)} s.`,
    );
    document.body.dataset.reportSeconds = seconds.toFixed(2);
    document.body.dataset.reportStages = JSON.stringify(
      Object.fromEntries(
        [...timing].map(([name, ms]) => [name, +(ms / 1000).toFixed(2)]),
      ),
    );
  });
}

function row(
  cells: (string | Node)[],
  header: string,
  current = false,
): HTMLTableRowElement {
  const tr = el("tr", { class: current ? "current" : undefined });
  tr.append(el("th", { scope: "row", text: header }));
  for (const cell of cells) tr.append(el("td", {}, cell));
  return tr;
}

const accuracyCell = (r: ReportRow) =>
  accuracyWithInterval(r.accuracy, r.accuracy_interval);

async function showReport(report: Report): Promise<void> {
  const body = byId<HTMLTableElement>("seed").tBodies[0]!;
  const fp32 = report.fp32;
  const focus = planName(focusPlan());
  body.replaceChildren(
    row(
      [
        `${fp32.bits_per_weight.toFixed(2)} bits`,
        kb(fp32.weight_bytes),
        accuracyCell(fp32),
        "—",
        "—",
        fp32.speed ? "1.00×" : "not timed",
        fp32.speed ? "1.00×" : "not timed",
      ],
      "FP32",
    ),
    ...report.plans.map((p) =>
      row(
        [
          `${p.bits_per_weight.toFixed(2)} bits`,
          twoLines(
            kb(p.weight_bytes),
            `${(1 / p.size_vs_fp32).toFixed(1)}× smaller`,
          ),
          accuracyCell(p),
          points(p.decay_points),
          twoLines(pct(p.agreement), `${p.flips} flips`),
          p.speed ? times(p.speed.speedup_batch) : "not timed",
          p.speed ? times(p.speed.speedup_batch1) : "not timed",
        ],
        p.name,
        p.name === focus,
      ),
    ),
  );
  const { threads } = await lab.info();
  byId("table-caption").textContent =
    `${report.model.name} on ${report.test_examples.toLocaleString("en")} ${report.model.dataset} test images; static plans calibrated with ${report.calibration.method.replaceAll("_", " ")} on ${report.calibration.samples} training images. Decay: FP32 accuracy minus the plan's. Speed: ${report.speed ? `${report.speed.rounds === 1 ? "one round (the CLI's default is the median of 5; pick 3 or 5 rounds above for steadier figures)" : `median of ${report.speed.rounds} rounds`}, ${threadsPhrase(threads)}, WebAssembly SIMD128` : "not measured"}.`;
  byId("exports").hidden = false;
  byId("flips-card").hidden = false;
  const flipPlan = byId<HTMLSelectElement>("flip-plan");
  flipPlan.replaceChildren(
    ...report.plans.map((p, i) =>
      el("option", {
        value: i,
        text: `${p.name} (${p.flips} flips)`,
        selected: p.name === focus,
      }),
    ),
  );
  byId("flips").replaceChildren();
  byId("flip-summary").textContent = "";
  byId("charts").hidden = false;
  const charts = await import("./charts");
  charts.showAccuracy(byId("accuracy-chart"), report);
  charts.showSpeedup(byId("speed-chart"), report);
  byId("speed-caption").textContent = report.speed
    ? "Above 1× the plan runs faster than FP32 on this device; below 1×, slower (see Kernels)."
    : "Speed was not measured in this run (Speed measurement: off).";
}

function showQuantizedOnly(
  handle: QuantizedModelHandle,
  accuracy: number,
  count: number,
): void {
  byId<HTMLTableElement>("seed").tBodies[0]!.replaceChildren(
    row(
      [
        `${handle.bitsPerWeight.toFixed(2)} bits`,
        kb(handle.weightBytes),
        pct(accuracy),
        "—",
        "—",
        "—",
        "—",
      ],
      planName(handle.plan),
    ),
  );
  byId("table-caption").textContent =
    `Your quantized model on ${count.toLocaleString("en")} test images. Load its FP32 model to compare the two.`;
  byId("exports").hidden = true;
  byId("charts").hidden = true;
  byId("flips-card").hidden = true;
}

// ---- flips ------------------------------------------------------------------------------------

let fp32Logits: Promise<Float32Array> | undefined;

/** Results belong to one model: a new model clears them. */
function clearResults(): void {
  last = undefined;
  fp32Logits = undefined;
  byId<HTMLTableElement>("seed").tBodies[0]!.replaceChildren();
  byId("table-caption").textContent =
    "Run the comparison to fill this table with numbers measured here.";
  for (const id of ["exports", "charts", "flips-card"]) byId(id).hidden = true;
}
let flips: {
  index: number;
  fp32: Float32Array;
  plan: Float32Array;
  name: string;
}[] = [];
let shown = 0;

byId("find-flips").addEventListener("click", () => void findFlips());
byId("more-flips").addEventListener("click", () => showMoreFlips());

async function quantizeFocus(
  plan: PlanSpec,
  signal: AbortSignal,
): Promise<QuantizedModelHandle> {
  const loaded = await loadShippedModelOrUpload();
  return lab.quantizeModel(loaded, last!.calibration, {
    plan,
    calibration: {
      method: last!.report.calibration.method as CalibrationMethod,
      samples: last!.report.calibration.samples,
    },
    signal,
  });
}

async function loadShippedModelOrUpload() {
  if (uploaded?.kind === "model") return uploaded.handle;
  return (await loadShippedModel(model().value)).handle;
}

async function findFlips(): Promise<void> {
  if (last === undefined) return;
  const planRow =
    last.report.plans[Number(byId<HTMLSelectElement>("flip-plan").value)]!;
  await flipJob.run(async (signal, report) => {
    const handle = await loadShippedModelOrUpload();
    const { test } = last!;
    fp32Logits ??= lab
      .logits(handle, test, {
        signal,
        onProgress: ({ done, total }) =>
          report((0.5 * done) / total, `FP32 outputs: ${done} of ${total}`),
      })
      .then((r) => r.logits);
    fp32Logits.catch(() => (fp32Logits = undefined));
    const fp32 = await fp32Logits;
    const quantized = await quantizeFocus(planRow.plan, signal);
    try {
      const { logits, classes } = await lab.logits(quantized, test, {
        signal,
        onProgress: ({ done, total }) =>
          report(
            0.5 + (0.5 * done) / total,
            `${planRow.name} outputs: ${done} of ${total}`,
          ),
      });
      flips = [];
      for (let i = 0; i < test.count; i++) {
        const a = argmax(fp32, i * classes, classes);
        const b = argmax(logits, i * classes, classes);
        if (a !== b)
          flips.push({
            index: i,
            fp32: fp32.slice(i * classes, (i + 1) * classes),
            plan: logits.slice(i * classes, (i + 1) * classes),
            name: planRow.name,
          });
      }
      byId("flip-summary").textContent =
        `${flips.length} of ${test.count.toLocaleString("en")} test images flip under ${planRow.name} (the report counted ${planRow.flips}).`;
      byId("flips").replaceChildren();
      shown = 0;
      showMoreFlips();
      flipJob.report(1, "");
    } finally {
      void lab.dispose(quantized);
    }
  });
}

const PAGE = 24;
function showMoreFlips(): void {
  const { test } = last!;
  const label = (i: number) => last!.labels[i] ?? String(i);
  const list = byId("flips");
  const pixels = test.rows * test.cols;
  for (const flip of flips.slice(shown, shown + PAGE)) {
    const truth = test.labels[flip.index]!;
    const guesses = (logits: Float32Array, who: string) =>
      el(
        "div",
        { class: "guesses" },
        el("strong", { text: who }),
        el(
          "ul",
          {},
          ...topK(logits, 0, logits.length, 3).map(({ index, p }) =>
            el("li", {
              class: index === truth ? "right" : undefined,
              text: `${label(index)}: ${pct(p, 0)}`,
            }),
          ),
        ),
      );
    list.append(
      el(
        "li",
        { class: "flip" },
        imageCanvas(
          test.images.subarray(flip.index * pixels, (flip.index + 1) * pixels),
          test.rows,
          test.cols,
          `Test image ${flip.index}, a ${label(truth)}`,
        ),
        el("p", {
          class: "flip-title",
          text: `#${flip.index} · truly ${label(truth)}`,
        }),
        guesses(flip.fp32, "FP32"),
        guesses(flip.plan, flip.name),
      ),
    );
  }
  shown = Math.min(flips.length, shown + PAGE);
  byId("more-flips").hidden = shown >= flips.length;
}

// ---- exports ----------------------------------------------------------------------------------

const baseName = () => `${last!.report.model.name}-report`;
byId("export-md").addEventListener("click", async () =>
  download(
    `${baseName()}.md`,
    await lab.reportMarkdown(last!.report),
    "text/markdown",
  ),
);
byId("export-csv").addEventListener("click", async () =>
  download(`${baseName()}.csv`, await lab.reportCsv(last!.report), "text/csv"),
);
byId("export-json").addEventListener("click", () =>
  download(
    `${baseName()}.json`,
    JSON.stringify(last!.report, null, 2),
    "application/json",
  ),
);
byId("export-model").addEventListener("click", async () => {
  await job.run(async (signal, report) => {
    report(0.2, `Quantizing with ${planName(focusPlan())}…`);
    const quantized = await quantizeFocus(focusPlan(), signal);
    try {
      const files = await lab.saveModel(quantized);
      const name = `${last!.report.model.name}-${planName(focusPlan())}`;
      download(`${name}.manifest.json`, files.manifestJson, "application/json");
      download(
        `${name}.safetensors`,
        files.weights,
        "application/octet-stream",
      );
      report(
        1,
        `Saved ${name}: ${kb(files.weights.length)} of weights. Load both files above to use it again.`,
      );
    } finally {
      void lab.dispose(quantized);
    }
  });
});

const handedOver = takeHandoff();
if (handedOver === undefined) void describeModel();
else void useFiles(handedOver);
