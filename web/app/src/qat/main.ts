// QAT: fine-tunes the session's model for a plan with fake quantization (lab.qat, optionally
// LSQ) on the shipped training images, drawing loss, accuracy and the scales live; then FP32,
// PTQ of the same plan and the QAT model on the whole test set in a Compare-style table. The QAT
// model can be downloaded or handed to Compare.
import type {
  IdxDataset,
  ModelHandle,
  PlanSpec,
  QuantizedModelHandle,
} from "quantlab";
import { handOver, handoffUrl } from "../shell/handoff";
import { QatCharts } from "./charts";
import { lab, loadDataset, loadShippedModel } from "../shell/lab";
import { renderNav } from "../shell/nav";
import {
  PRESETS,
  planName,
  readSession,
  updateSession,
} from "../shell/session";
import { download } from "../shell/download";
import {
  accuracyWithInterval,
  argmax,
  byId,
  el,
  Job,
  kb,
  modelPicker,
  pct,
  points,
  setState,
} from "../shell/ui";

renderNav();

const session = readSession();
const model = modelPicker(session.model);
const planSelect = byId<HTMLSelectElement>("plan");
const job = new Job(byId("job"));

// int8-dynamic has nothing static to train for beyond int8's weights; the presets that
// quantize weights to 4 bits are where fine-tuning pays.
for (const name of PRESETS)
  planSelect.append(el("option", { value: name, text: name }));
if (typeof session.plan !== "string")
  planSelect.append(
    el("option", { value: "session", text: `${planName(session.plan)}` }),
  );
planSelect.value =
  typeof session.plan === "string"
    ? session.plan === "int8"
      ? "w4a8"
      : session.plan
    : "session";
const plan = (): PlanSpec =>
  planSelect.value === "session"
    ? readSession().plan
    : (planSelect.value as PlanSpec);

model.addEventListener("change", () => {
  updateSession({ model: model.value });
  clearResult();
});
planSelect.addEventListener("change", () => {
  if (planSelect.value !== "session") updateSession({ plan: plan() });
});

let trained: { handle: QuantizedModelHandle; name: string } | undefined;

// Made with the page, so a run's first batches do not wait for Chart.js to load and draw.
const charts = new QatCharts(
  byId<HTMLCanvasElement>("curve-chart"),
  byId<HTMLCanvasElement>("scale-chart"),
);

byId<HTMLFormElement>("controls").addEventListener("submit", (event) => {
  event.preventDefault();
  void fineTune();
});
setState("ready");

/** The predicted class of every test image, with progress; aborting stops between batches. */
async function predictions(
  handle: ModelHandle | QuantizedModelHandle,
  test: IdxDataset,
  signal: AbortSignal,
  onProgress: (fraction: number) => void,
): Promise<Int32Array> {
  const { logits, count, classes } = await lab.logits(handle, test, {
    signal,
    onProgress: ({ done, total }) => onProgress(done / total),
  });
  return Int32Array.from({ length: count }, (_, i) =>
    argmax(logits, i * classes, classes),
  );
}

interface Row {
  name: string;
  bitsPerWeight: number;
  bytes: number;
  predicted: Int32Array;
}

async function fineTune(): Promise<void> {
  const spec = plan();
  const lsq = byId<HTMLInputElement>("lsq").checked;
  const examples = Number(byId<HTMLSelectElement>("examples").value);
  clearResult();
  await job.run(async (signal, report) => {
    const { handle } = await loadShippedModel(model.value);
    const dataset = handle.manifest.dataset;
    const train = await loadDataset(dataset, "training", (done, total) =>
      report(
        total ? (0.05 * done) / total : 0,
        `Downloading the ${dataset} training images: ${kb(done)}${total ? ` of ${kb(total)}` : ""}`,
      ),
    );
    const test = await loadDataset(dataset, "test", (done, total) =>
      report(
        0.05 + (total ? (0.05 * done) / total : 0),
        `Downloading the ${dataset} test images: ${kb(done)}${total ? ` of ${kb(total)}` : ""}`,
      ),
    );
    charts.clear();
    const used = examples === 0 ? train.count : Math.min(examples, train.count);
    const result = await lab.qat(handle, train, {
      plan: spec,
      lsq,
      epochs: 1,
      examplesPerEpoch: used,
      signal,
      onProgress: ({ done, total, detail }) => {
        if (detail === undefined) return;
        charts.add(detail);
        report(
          0.1 + (0.6 * done) / total,
          `Fine-tuning: batch ${done} of ${total}, loss ${detail.loss.toFixed(3)}, accuracy ${pct(detail.accuracy, 1)}`,
        );
      },
    });
    trained = { handle: result.model, name: `${planName(spec)} QAT` };
    // PTQ of the same plan from the same calibration images QAT started from (the front of the
    // training images, min-max), so the table isolates what training changed.
    const ptq = await lab.quantizeModel(handle, train, {
      plan: spec,
      calibration: { method: "minmax", samples: 512 },
      signal,
    });
    try {
      const stage = (from: number, what: string) => (f: number) =>
        report(from + 0.1 * f, `Testing ${what} on the test set…`);
      const rows: Row[] = [
        {
          name: "FP32",
          bitsPerWeight: 32,
          // Bits per weight = 8 · bytes / weights (docs/quantization.md Eq. 10): FP32 at 32.
          bytes: (32 * ptq.weightBytes) / ptq.bitsPerWeight,
          predicted: await predictions(
            handle,
            test,
            signal,
            stage(0.7, "FP32"),
          ),
        },
        {
          name: `${planName(spec)} PTQ`,
          bitsPerWeight: ptq.bitsPerWeight,
          bytes: ptq.weightBytes,
          predicted: await predictions(ptq, test, signal, stage(0.8, "PTQ")),
        },
        {
          name: trained.name,
          bitsPerWeight: result.model.bitsPerWeight,
          bytes: result.model.weightBytes,
          predicted: await predictions(
            result.model,
            test,
            signal,
            stage(0.9, "the QAT model"),
          ),
        },
      ];
      await showTable(rows, test, used, lsq, result.seconds);
      report(
        1,
        `Fine-tuned on ${used.toLocaleString("en")} training images in ${result.seconds.toFixed(1)} s; measured on ${test.count.toLocaleString("en")} test images.${scaleSummary(charts.moves()[0])}`,
      );
    } finally {
      void lab.dispose(ptq);
    }
  });
}

/** Which scale moved most, by how much (a signed percentage, two significant digits). */
function scaleSummary(moved: { name: string; ratio: number } | undefined) {
  if (moved === undefined) return "";
  const change = moved.ratio - 1;
  if (change === 0)
    return " No scale moved: plain QAT keeps them (tick LSQ to train them).";
  return ` The scale that moved most: ${moved.name}, by ${change > 0 ? "+" : "−"}${Math.abs(100 * change).toPrecision(2)}%.`;
}

async function showTable(
  rows: Row[],
  test: IdxDataset,
  used: number,
  lsq: boolean,
  seconds: number,
): Promise<void> {
  const correct = (p: Int32Array) =>
    p.reduce((n, c, i) => n + (c === test.labels[i] ? 1 : 0), 0);
  const fp32 = rows[0]!;
  const fp32Accuracy = correct(fp32.predicted) / test.count;
  // The interval Compare shows, from the engine's statistics (Wilson, docs/report.md).
  const intervals = await Promise.all(
    rows.map((r) => lab.accuracyInterval(correct(r.predicted), test.count)),
  );
  byId<HTMLTableElement>("result").tBodies[0]!.replaceChildren(
    ...rows.map((r, index) => {
      const a = correct(r.predicted) / test.count;
      const agree =
        r.predicted.reduce(
          (n, c, i) => n + (c === fp32.predicted[i] ? 1 : 0),
          0,
        ) / r.predicted.length;
      const tr = el("tr", { class: index === 2 ? "current" : undefined });
      tr.append(
        el("th", { scope: "row", text: r.name }),
        el("td", { text: r.bitsPerWeight.toFixed(2) }),
        el("td", { text: kb(r.bytes) }),
        el("td", {}, accuracyWithInterval(a, intervals[index]!)),
        el("td", {
          text: index === 0 ? "—" : points(100 * (fp32Accuracy - a)),
        }),
        el("td", { text: index === 0 ? "—" : pct(agree) }),
      );
      return tr;
    }),
  );
  byId("table-caption").textContent =
    `${model.value} on ${test.count.toLocaleString("en")} test images. PTQ: the plan calibrated (min-max) on the first 512 training images, no training. QAT${lsq ? " with LSQ" : ""}: fine-tuned from the same start on ${used.toLocaleString("en")} training images (${seconds.toFixed(1)} s). Decay: FP32 accuracy minus the row's.`;
  byId("exports").hidden = false;
}

function clearResult(): void {
  if (trained !== undefined) void lab.dispose(trained.handle);
  trained = undefined;
  byId<HTMLTableElement>("result").tBodies[0]!.replaceChildren();
  byId("exports").hidden = true;
}

byId("export-model").addEventListener("click", async () => {
  if (trained === undefined) return;
  const files = await lab.saveModel(trained.handle);
  const name = `${model.value}-${trained.name.replaceAll(" ", "-")}`;
  download(`${name}.manifest.json`, files.manifestJson, "application/json");
  download(`${name}.safetensors`, files.weights, "application/octet-stream");
});

byId("to-compare").addEventListener("click", async () => {
  if (trained === undefined) return;
  const files = await lab.saveModel(trained.handle);
  handOver(`${model.value}-${trained.name.replaceAll(" ", "-")}`, files);
  location.href = handoffUrl();
});
