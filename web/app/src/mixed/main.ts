// Mixed precision: the engine's sensitivity table and mixed-precision search (lab.search) on the
// shipped training images — the calibration images at their front calibrate, the held-out rest
// decides — with the Pareto front as a chart and a table whose rows load a plan into the session.
import {
  Chart,
  Legend,
  LineElement,
  LinearScale,
  PointElement,
  ScatterController,
  Tooltip,
} from "chart.js";
import type { SearchResult } from "quantlab";
import { splitCount } from "../shell/datasets";
import { lab, loadDataset, loadShippedModel } from "../shell/lab";
import { renderNav } from "../shell/nav";
import { readSession, sessionQuery, updateSession } from "../shell/session";
import { byId, el, Job, kb, modelPicker, pct, setState } from "../shell/ui";
import { pageChartLook, useChartLook } from "../shell/chart-look";

renderNav();
Chart.register(
  ScatterController,
  PointElement,
  LineElement,
  LinearScale,
  Tooltip,
  Legend,
);
useChartLook(Chart, pageChartLook());

const session = readSession();
modelPicker(session.model);
const model = () => byId<HTMLSelectElement>("model");
model().addEventListener("change", () =>
  updateSession({ model: model().value }),
);
const job = new Job(byId("job"));
let chart: Chart | undefined;

byId<HTMLFormElement>("controls").addEventListener("submit", (event) => {
  event.preventDefault();
  void search();
});
setState("ready");

async function search(): Promise<void> {
  const budget = byId<HTMLSelectElement>("budget").value;
  await job.run(async (signal, report) => {
    const { handle } = await loadShippedModel(model().value);
    const dataset = handle.manifest.dataset;
    const train = await loadDataset(dataset, "training", (done, total) =>
      report(
        total ? (0.1 * done) / total : 0,
        `Downloading the ${dataset} training images: ${kb(done)}${total ? ` of ${kb(total)}` : ""}`,
      ),
    );
    // The shipped training images begin with the calibration images: those calibrate, every
    // image after them is held out to decide.
    const calibrationImages = await splitCount(dataset, "calibration");
    const calibrationSamples = Math.min(512, calibrationImages);
    const validation = train.count - calibrationImages;
    const result = await lab.search(handle, train, {
      budget,
      validation,
      calibration: { samples: calibrationSamples },
      signal,
      onProgress: ({ done }) =>
        report(Math.min(0.95, 0.1 + done / 20), `${done} plans measured…`),
    });
    show(result);
    byId("data-used").textContent =
      `Calibrated on training images 1–${calibrationSamples}; every plan measured on the ${validation.toLocaleString("en")} held-out training images ${(calibrationImages + 1).toLocaleString("en")}–${train.count.toLocaleString("en")}, which calibration never sees. The test set is not used.`;
    report(
      1,
      `${result.search.plans.length} plans measured on ${result.sensitivity.validation_examples.toLocaleString("en")} held-out training images; ${result.budgetMet ? "the chosen plan meets" : "no plan meets"} the budget of ${budget.replace("bpw", " bits per weight")}.`,
    );
  });
}

function show(result: SearchResult): void {
  const { plans, front, chosen } = result.search;
  const onFront = new Set(front);
  chart?.destroy();
  chart = new Chart(byId<HTMLCanvasElement>("front-chart"), {
    type: "scatter",
    data: {
      datasets: [
        {
          label: "measured plans",
          data: plans.map((p) => ({
            x: p.bits_per_weight,
            y: 100 * p.accuracy,
          })),
          backgroundColor: "#a5b4fc",
        },
        {
          label: "Pareto front",
          data: front.map((i) => ({
            x: plans[i]!.bits_per_weight,
            y: 100 * plans[i]!.accuracy,
          })),
          backgroundColor: "#4338ca",
          pointRadius: 5,
          showLine: true,
          borderColor: "#4338ca",
        },
      ],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { title: { display: true, text: "bits per weight" } },
        y: {
          max: 100,
          title: { display: true, text: "validation accuracy (%)" },
        },
      },
    },
  });
  byId("front-caption").textContent =
    "Each point a plan measured as a whole; the front joins the plans no other plan beats in both size and accuracy. The images are training images the model has seen, so accuracy can saturate at 100%: then the KL column below shows which layers the quantization disturbs most.";
  const head = byId<HTMLTableElement>("front").tHead!;
  head.replaceChildren(
    el(
      "tr",
      {},
      ...[
        "plan",
        "bits/weight",
        "accuracy",
        "drop",
        "sum of layer drops",
        "",
      ].map((text) => el("th", { text })),
    ),
  );
  const body = byId<HTMLTableElement>("front").tBodies[0]!;
  body.replaceChildren(
    ...plans
      .map((p, i) => ({ p, i }))
      .filter(({ i }) => onFront.has(i))
      .map(({ p, i }) => {
        const use = el("a", {
          text: i === chosen ? "Use (chosen)" : "Use",
          href: `./index.html${sessionQuery({ ...readSession(), plan: p.plan })}`,
        });
        use.addEventListener("click", () => updateSession({ plan: p.plan }));
        return el(
          "tr",
          { class: i === chosen ? "current" : undefined },
          el("td", { text: p.name }),
          el("td", { text: p.bits_per_weight.toFixed(3) }),
          el("td", { text: pct(p.accuracy) }),
          el("td", { text: `${p.drop_points.toFixed(2)} pts` }),
          el("td", { text: `${p.predicted_drop_points.toFixed(2)} pts` }),
          el("td", {}, use),
        );
      }),
  );
  const sens = byId<HTMLTableElement>("sensitivity");
  sens.tHead!.replaceChildren(
    el(
      "tr",
      {},
      ...[
        "layer",
        "precision",
        "accuracy drop",
        "KL (nats)",
        "bytes saved",
      ].map((text) => el("th", { text })),
    ),
  );
  sens.tBodies[0]!.replaceChildren(
    ...result.sensitivity.rows.map((r) =>
      el(
        "tr",
        {},
        el("td", { text: r.layer }),
        el("td", { text: r.choice }),
        el("td", { text: `${r.accuracy_drop_points.toFixed(2)} pts` }),
        el("td", { text: r.kl_mean.toExponential(1) }),
        el("td", { text: r.bytes_saved.toLocaleString("en") }),
      ),
    ),
  );
}
