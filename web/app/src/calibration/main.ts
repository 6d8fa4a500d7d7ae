// Calibration: the int8 plan calibrated by each observer on the same images (optionally with
// an outlier image added), each quantized model's test accuracy on one chart, and the input
// range each observer chose for every layer.
import { renderNav } from "../shell/nav";
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  LinearScale,
  Tooltip,
} from "chart.js";
import { lab, loadDataset, loadShippedModel } from "../shell/lab";
import {
  CALIBRATION_METHODS,
  readSession,
  updateSession,
  type CalibrationMethod,
} from "../shell/session";
import { byId, el, Job, kb, modelPicker, pct, setState } from "../shell/ui";
import type { LayerActivations } from "quantlab";
import { ActivationChart, METHOD_COLORS } from "../shell/activation-chart";
import { pageChartLook, useChartLook } from "../shell/chart-look";

renderNav();

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);
useChartLook(Chart, pageChartLook());

const session = readSession();
modelPicker(session.model);
const model = () => byId<HTMLSelectElement>("model");
const calibSelect = byId<HTMLSelectElement>("calib");
for (const m of CALIBRATION_METHODS)
  calibSelect.append(el("option", { value: m, text: m.replaceAll("_", " ") }));
calibSelect.value = session.calib;
const size = byId<HTMLSelectElement>("calib-size");
size.value = [32, 128, 512, 1024].includes(session.calibSize)
  ? String(session.calibSize)
  : "512";
const job = new Job(byId("job"));
let chart: Chart | undefined;

model().addEventListener("change", () =>
  updateSession({ model: model().value }),
);
calibSelect.addEventListener("change", () =>
  updateSession({ calib: calibSelect.value as CalibrationMethod }),
);
size.addEventListener("change", () =>
  updateSession({ calibSize: Number(size.value) }),
);

byId<HTMLFormElement>("controls").addEventListener("submit", (event) => {
  event.preventDefault();
  void compare();
});

async function compare(): Promise<void> {
  const samples = Number(size.value);
  const outlier = byId<HTMLInputElement>("outlier").checked;
  const percentile = Number(byId<HTMLInputElement>("percentile").value);
  await job.run(async (signal, report) => {
    const { handle } = await loadShippedModel(model().value);
    const dataset = handle.manifest.dataset;
    const test = await loadDataset(dataset, "test", (done, total) =>
      report(
        total ? (0.3 * done) / total : 0,
        `Downloading test images: ${kb(done)}`,
      ),
    );
    const calibration = await loadDataset(dataset, "calibration");
    const pixels = calibration.rows * calibration.cols;
    // The first `samples` images, and the white outlier in place of the last one.
    const images = calibration.images.slice(0, samples * pixels);
    if (outlier) images.fill(255, (samples - 1) * pixels);
    const results: {
      method: CalibrationMethod;
      accuracy: number;
      ranges: Record<string, [number, number]>;
    }[] = [];
    for (const [i, method] of CALIBRATION_METHODS.entries()) {
      report(
        0.3 + (0.7 * i) / CALIBRATION_METHODS.length,
        `Calibrating with ${method.replaceAll("_", " ")} and testing…`,
      );
      const quantized = await lab.quantizeModel(
        handle,
        { images, rows: calibration.rows, cols: calibration.cols },
        {
          plan: "int8",
          calibration: { method, samples, percentile },
          signal,
        },
      );
      try {
        const { accuracy } = await lab.evaluate(quantized, test, { signal });
        const calib = (
          quantized.manifest as unknown as {
            quantization: {
              calibration: { input_ranges: Record<string, [number, number]> };
            };
          }
        ).quantization.calibration;
        results.push({ method, accuracy, ranges: calib.input_ranges });
      } finally {
        void lab.dispose(quantized);
      }
    }
    report(0.95, "Histograms of every layer's inputs…");
    const histograms = await lab.activationHistograms(
      handle,
      { images, rows: calibration.rows, cols: calibration.cols },
      { samples, percentile, signal },
    );
    show(results, samples, outlier, test.count);
    showClipping(histograms, results, samples, outlier);
    report(
      1,
      `Five observers, each tested on ${test.count.toLocaleString("en")} images.`,
    );
  });
}

function show(
  results: {
    method: CalibrationMethod;
    accuracy: number;
    ranges: Record<string, [number, number]>;
  }[],
  samples: number,
  outlier: boolean,
  tested: number,
): void {
  const labels = results.map((r) => r.method.replaceAll("_", " "));
  // Multi-line tick labels: "moving average minmax" would otherwise be drawn slanted.
  const ticks = results.map((r) => r.method.split("_"));
  chart?.destroy();
  const accuracies = results.map((r) => 100 * r.accuracy);
  chart = new Chart(byId<HTMLCanvasElement>("accuracy-chart"), {
    type: "bar",
    data: {
      labels: ticks,
      datasets: [
        {
          label: "test accuracy (%)",
          data: accuracies,
          backgroundColor: "#4f46e5",
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: {
        tooltip: {
          callbacks: { label: (item) => `${Number(item.raw).toFixed(2)}%` },
        },
      },
      scales: {
        x: { ticks: { autoSkip: false, maxRotation: 0 } },
        y: {
          min: Math.floor(Math.min(...accuracies) - 1),
          max: Math.min(100, Math.ceil(Math.max(...accuracies) + 0.5)),
          title: { display: true, text: "test accuracy (%)" },
        },
      },
    },
  });
  byId("chart-caption").textContent =
    `int8 plan, calibrated on ${samples} training images${outlier ? " (one of them the white outlier)" : ""}, tested on ${tested.toLocaleString("en")} images. The axis starts at ${Math.floor(Math.min(...accuracies) - 1)}%, to show small differences.`;
  const table = byId<HTMLTableElement>("ranges");
  table.tHead!.replaceChildren(
    el(
      "tr",
      {},
      el("th", { scope: "col", text: "Layer input" }),
      ...labels.map((l) => el("th", { scope: "col", text: l })),
    ),
  );
  const layers = Object.keys(results[0]?.ranges ?? {});
  table.tBodies[0]!.replaceChildren(
    ...layers.map((layer) =>
      el(
        "tr",
        { "data-layer": layer },
        el("th", { scope: "row", text: layer }),
        ...results.map((r) =>
          el("td", {
            "data-method": r.method,
            text: `${r.ranges[layer]![0].toFixed(2)} … ${r.ranges[layer]![1].toFixed(2)}`,
          }),
        ),
      ),
    ),
    el(
      "tr",
      {},
      el("th", { scope: "row", text: "Test accuracy" }),
      ...results.map((r) => el("td", { text: pct(r.accuracy) })),
    ),
  );
}

// ---- what clipping does to the histogram ------------------------------------------------------

let clipChart: ActivationChart | undefined;
const clipLayer = byId<HTMLSelectElement>("clip-layer");

function showClipping(
  layers: LayerActivations[],
  results: { method: CalibrationMethod; accuracy: number }[],
  samples: number,
  outlier: boolean,
): void {
  const previous = clipLayer.value;
  clipLayer.replaceChildren(
    ...layers.map((l) => el("option", { value: l.layer, text: l.layer })),
  );
  // The second layer by default: the first one's input is the image's pixels, not activations.
  clipLayer.value = layers.some((l) => l.layer === previous)
    ? previous
    : layers[Math.min(1, layers.length - 1)]!.layer;
  const draw = () => {
    const layer = layers.find((l) => l.layer === clipLayer.value)!;
    clipChart ??= new ActivationChart(byId<HTMLCanvasElement>("clip-chart"));
    clipChart.show(
      layer,
      layer.ranges.map((r) => ({
        label: r.method,
        min: r.min,
        max: r.max,
        color: METHOD_COLORS[r.method] ?? "#64748b",
      })),
    );
    byId<HTMLTableElement>("clipping").tBodies[0]!.replaceChildren(
      ...layer.ranges.map((r) =>
        el(
          "tr",
          { "data-method": r.method },
          el(
            "th",
            { scope: "row" },
            el("span", {
              class: "swatch",
              style: `background:${METHOD_COLORS[r.method] ?? "#64748b"}`,
              "aria-hidden": "true",
            }),
            r.method.replaceAll("_", " "),
          ),
          el("td", { text: `${r.min.toFixed(3)} … ${r.max.toFixed(3)}` }),
          el("td", { text: clippedText(r.clippedFraction) }),
          el("td", { text: Number.isFinite(r.kl) ? r.kl.toFixed(4) : "∞" }),
          el("td", {
            text: pct(
              results.find((x) => x.method === r.method)?.accuracy ?? NaN,
            ),
          }),
        ),
      ),
    );
    byId("clip-caption").textContent =
      `${layer.layer}'s input over the ${samples} calibration images${outlier ? " (with the outlier)" : ""}: ${layer.min.toFixed(3)} … ${layer.max.toFixed(3)}. Each dashed pair of lines is one observer's INT8 range; values beyond it are clipped to its ends. KL measures how much the 256-level grid over that range loses of this distribution (docs/quantization.md Eqs. 50–51).`;
  };
  clipLayer.onchange = draw;
  byId("clip-card").hidden = false;
  draw();
}

/** A clipped fraction people can read: exact zero, or a percentage with enough digits. */
function clippedText(fraction: number): string {
  if (fraction === 0) return "none";
  const percent = 100 * fraction;
  return `${percent < 0.01 ? percent.toExponential(1) : percent.toPrecision(2)}%`;
}

setState("ready");
