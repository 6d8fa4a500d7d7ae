// Layers: each Linear/Conv2d layer's real weights with the grid of its precision and its input
// activations with the calibrated range and INT8 grid (clipped fraction, KL), a precision per
// layer that builds a plan (plan.layers overrides), and that plan measured on the test set
// (size, accuracy, speed, per-layer output SQNR) whenever a choice changes.
import { renderNav } from "../shell/nav";
import {
  gridLevels,
  type LayerPlan,
  type Plan,
  type PlanPreset,
  type PlanSpec,
  type QuantSchemeOptions,
  type Report,
} from "quantlab";
import { ValueChart } from "../playground/charts";
import {
  lab,
  loadDataset,
  loadShippedModel,
  plainError,
  type LoadedModel,
} from "../shell/lab";
import { ActivationChart, METHOD_COLORS } from "../shell/activation-chart";
import { asMatrix, readTensor } from "../shell/safetensors";
import {
  PRESETS,
  readSession,
  sessionQuery,
  updateSession,
} from "../shell/session";
import {
  byId,
  el,
  Job,
  kb,
  modelPicker,
  pct,
  setState,
  times,
} from "../shell/ui";

renderNav();

type Choice = "fp32" | PlanPreset;
const CHOICES: Choice[] = ["fp32", ...PRESETS];
const CHOICE_LABELS: Record<Choice, string> = {
  fp32: "FP32 (not quantized)",
  int8: "INT8 weights + INT8 static activations",
  "int8-dynamic": "INT8 weights + INT8 dynamic activations",
  "int4-g32": "INT4 groups of 32, FP32 activations",
  "int4-tensor": "INT4 one scale per tensor, FP32 activations",
  w4a8: "INT4 groups of 32 + INT8 dynamic activations",
};

const session = readSession();
modelPicker(session.model);
const model = () => byId<HTMLSelectElement>("model");
const base = byId<HTMLSelectElement>("base");
for (const c of PRESETS)
  base.append(el("option", { value: c, text: CHOICE_LABELS[c] }));
const job = new Job(byId("job"));

let presets: Record<Choice, Plan> | undefined;
let choices: Record<string, Choice> = {};
let layerNames: string[] = [];
const cards = new Map<
  string,
  {
    chart: ValueChart;
    select: HTMLSelectElement;
    note: HTMLElement;
    error: HTMLElement;
    inputs: ActivationChart;
    inputNote: HTMLElement;
  }
>();

const same = (
  a: Partial<LayerPlan> | undefined,
  b: Partial<LayerPlan> | undefined,
) => JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});

/** The preset whose layer settings these are. */
function choiceOf(
  settings: Partial<LayerPlan> | undefined,
): Choice | undefined {
  return CHOICES.find((c) => same(presets![c].default, settings));
}

/** The plan the choices make: the base preset, plus an override per layer that differs. */
function currentPlan(): PlanSpec {
  const overrides = layerNames.filter((name) => choices[name] !== base.value);
  if (overrides.length === 0) return base.value as PlanPreset;
  return {
    format: "quantlab-plan",
    version: 1,
    name: `${base.value} + ${overrides.map((n) => `${n} ${choices[n]}`).join(", ")}`,
    default: presets![base.value as Choice].default!,
    layers: Object.fromEntries(
      overrides.map((n) => [n, presets![choices[n]!].default!]),
    ),
  };
}

/** Reads the session's plan back into a base preset and per-layer choices. */
function adoptPlan(plan: PlanSpec): void {
  const baseChoice =
    typeof plan === "string" ? plan : (choiceOf(plan.default) ?? "int8");
  base.value = baseChoice === "fp32" ? "int8" : baseChoice;
  previousBase = base.value;
  choices = Object.fromEntries(
    layerNames.map((n) => [
      n,
      (typeof plan === "object" && choiceOf(plan.layers?.[n])) ||
        (base.value as Choice),
    ]),
  );
}

function schemeOf(choice: Choice, k: number): QuantSchemeOptions | undefined {
  const p = presets![choice].default!;
  if (p.weights === "fp32") return undefined;
  const perGroup = p.granularity === "per_group" && (p.group_size ?? 32) < k;
  return {
    bits: p.weights === "int8" ? 8 : 4,
    symmetric: p.symmetric ?? true,
    granularity:
      p.granularity === "per_group" && !perGroup
        ? "per_channel"
        : p.granularity!,
    ...(perGroup ? { groupSize: p.group_size } : {}),
  } as QuantSchemeOptions;
}

let loaded: LoadedModel | undefined;
let previousBase = base.value;

async function showWeights(name: string): Promise<void> {
  const card = cards.get(name)!;
  const weights = readTensor(loaded!.weights, `${name}.weight`);
  const [rows, k] = asMatrix(weights.shape);
  const scheme = schemeOf(choices[name]!, k);
  if (scheme === undefined) {
    card.chart.show(weights.values, new Float64Array());
    card.note.textContent = `${weights.values.length.toLocaleString("en")} weights kept in FP32: no grid.`;
    return;
  }
  try {
    const r = await lab.roundTrip(weights.values, [rows, k], scheme);
    const range = await lab.intRange(scheme.bits!, scheme.symmetric ?? true);
    // The grid of the widest channel or group: the coarsest one in this layer.
    const scales = r.quantized.scales;
    let widest = 0;
    for (let i = 1; i < scales.length; i++)
      if (scales[i]! > scales[widest]!) widest = i;
    card.chart.show(
      weights.values,
      gridLevels(range, scales[widest]!, r.quantized.zeroPoints[widest]!),
    );
    const unit =
      scales.length === 1
        ? "the tensor's"
        : scheme.granularity === "per_channel"
          ? `channel ${widest + 1}'s (the widest of ${scales.length})`
          : `group ${widest + 1}'s (the widest of ${scales.length})`;
    card.note.textContent = `${weights.values.length.toLocaleString("en")} weights; grid: ${unit}, from min–max. Weight SQNR ${r.error.sqnrDb.toFixed(1)} dB at ${r.storage.bitsPerWeight.toFixed(2)} bits per weight.`;
  } catch (error) {
    card.note.textContent = `The grid cannot be drawn for this layer: ${error instanceof Error ? error.message : error}`;
  }
}

function renderLayers(): void {
  const list = byId("layers");
  list.replaceChildren();
  cards.clear();
  const layers = (
    loaded!.handle.manifest.architecture.layers as {
      name: string;
      kind: string;
    }[]
  ).filter((l) => l.kind === "linear" || l.kind === "conv2d");
  layerNames = layers.map((l) => l.name);
  adoptPlan(readSession().plan);
  for (const layer of layers) {
    const shape = readTensor(loaded!.weights, `${layer.name}.weight`).shape;
    const select = el("select", {
      id: `choice-${layer.name}`,
      name: layer.name,
    });
    for (const c of CHOICES)
      select.append(
        el("option", {
          value: c,
          text: CHOICE_LABELS[c],
          selected: choices[layer.name] === c,
        }),
      );
    const canvas = el("canvas", {
      role: "img",
      "aria-label": `Histogram of ${layer.name}'s weights with the quantization grid`,
    });
    const note = el("p", { class: "hint" });
    const inputCanvas = el("canvas", {
      role: "img",
      "aria-label": `Histogram of ${layer.name}'s input values on the calibration images, with the calibrated range and its INT8 grid`,
    });
    const inputNote = el("p", {
      class: "hint input-note",
      text: "Input activations: measuring…",
    });
    const error = el("p", {
      class: "hint layer-sqnr",
      text: "Output SQNR: measuring…",
    });
    const card = el(
      "article",
      { class: "card", id: `layer-${layer.name}` },
      el(
        "div",
        { class: "layer-head" },
        el(
          "div",
          {},
          el("h2", { text: `${layer.name}` }),
          el("p", {
            class: "hint",
            text: `${layer.kind === "conv2d" ? "Conv2d" : "Linear"}, weights ${shape.join("×")}`,
          }),
        ),
        el(
          "label",
          { class: "field" },
          el("span", { text: "Precision" }),
          select,
        ),
      ),
      error,
      el("h3", { text: "Weights" }),
      el("div", { class: "chart-box small" }, canvas),
      note,
      el("h3", { text: "Input activations" }),
      el("div", { class: "chart-box small" }, inputCanvas),
      inputNote,
      el("a", {
        href: `./tensor.html${sessionQuery(readSession())}${sessionQuery(readSession()) ? "&" : "?"}layer=${layer.name}`,
        text: `Open ${layer.name}'s weights in the one-tensor playground`,
      }),
    );
    list.append(card);
    cards.set(layer.name, {
      chart: new ValueChart(canvas),
      select,
      note,
      error,
      inputs: new ActivationChart(inputCanvas),
      inputNote,
    });
    select.addEventListener("change", () => {
      choices[layer.name] = select.value as Choice;
      void showWeights(layer.name);
      planChanged();
    });
    void showWeights(layer.name);
  }
  void showActivations();
}

/**
 * Each layer's input over the session's calibration images, with the range the session's
 * observer chooses and the INT8 grid on it: what a static INT8 layer's input is rounded to.
 */
async function showActivations(): Promise<void> {
  const current = loaded!;
  const { calib, calibSize } = readSession();
  try {
    const calibration = await loadDataset(
      current.handle.manifest.dataset,
      "calibration",
    );
    const layers = await lab.activationHistograms(current.handle, calibration, {
      samples: calibSize,
    });
    if (loaded !== current) return;
    const int8 = await lab.intRange(8, false);
    for (const layer of layers) {
      const card = cards.get(layer.layer);
      const chosen = layer.ranges.find((r) => r.method === calib);
      if (card === undefined || chosen === undefined) continue;
      // The engine's own (scale, zero point) for this range: a per-tensor asymmetric INT8
      // quantization of its two ends (docs/quantization.md Eqs. 5–7).
      const ends = await lab.quantize(
        Float32Array.of(chosen.min, chosen.max),
        [2],
        {
          bits: 8,
          symmetric: false,
          granularity: "per_tensor",
        },
      );
      const scale = ends.scales[0]!;
      card.inputs.show(
        layer,
        [
          {
            label: calib,
            min: chosen.min,
            max: chosen.max,
            color: METHOD_COLORS[calib] ?? "#64748b",
          },
        ],
        gridLevels(int8, scale, ends.zeroPoints[0]!),
      );
      card.inputNote.textContent = `${layer.min.toFixed(3)} … ${layer.max.toFixed(3)} over ${Math.min(calibSize, calibration.count)} calibration images. The ${calib.replaceAll("_", " ")} observer's range (dashed): ${chosen.min.toFixed(3)} … ${chosen.max.toFixed(3)}, 256 levels ${scale.toPrecision(3)} apart, clipping ${chosen.clippedFraction === 0 ? "no values" : `${(100 * chosen.clippedFraction).toPrecision(2)}% of the values`}; KL ${Number.isFinite(chosen.kl) ? chosen.kl.toFixed(4) : "∞"} nats (Eq. 51). Static INT8 plans (int8) quantize this input on that grid; dynamic plans choose a range per row as they run; FP32-activation plans keep it.`;
    }
  } catch (error) {
    for (const card of cards.values())
      card.inputNote.textContent = `The input histogram could not be measured: ${plainError(error)}`;
  }
}

function planChanged(): void {
  const plan = currentPlan();
  updateSession({ plan });
  byId("plan-summary").textContent =
    typeof plan === "string" ? `Every layer: ${plan}.` : `Plan: ${plan.name}.`;
  void measure(plan);
}

let fp32: Report["fp32"] | undefined;
async function measure(plan: PlanSpec): Promise<void> {
  await job.run(async (signal, report) => {
    const dataset = loaded!.handle.manifest.dataset;
    const test = await loadDataset(dataset, "test", (done, total) =>
      report(
        total ? (0.5 * done) / total : 0,
        `Downloading test images: ${kb(done)}`,
      ),
    );
    const calibration = await loadDataset(dataset, "calibration");
    const { calib, calibSize } = readSession();
    const result = await lab.report(loaded!.handle, test, calibration, {
      plans: [plan],
      speedRounds: 1,
      calibration: { method: calib, samples: calibSize },
      signal,
      onProgress: ({ done, total, message }) =>
        report(done / total, `Measuring the plan: ${message ?? ""}`),
    });
    fp32 = result.fp32;
    const row = result.plans[0]!;
    byId("size").textContent = kb(row.weight_bytes);
    byId("size-hint").textContent =
      `FP32: ${kb(fp32.weight_bytes)} · ${row.bits_per_weight.toFixed(2)} bits per weight`;
    byId("accuracy").textContent = pct(row.accuracy);
    byId("accuracy-hint").textContent =
      `FP32: ${pct(fp32.accuracy)} · ${row.flips} flips`;
    byId("speed").textContent = row.speed
      ? times(row.speed.speedup_batch)
      : "—";
    for (const layer of row.layers) {
      const card = cards.get(layer.name);
      if (card)
        card.error.textContent =
          layer.sqnr_db === null
            ? "Output SQNR: identical to FP32"
            : `Output SQNR against FP32: ${layer.sqnr_db.toFixed(1)} dB`;
    }
    report(
      1,
      `Measured on ${result.test_examples.toLocaleString("en")} test images.`,
    );
  });
}

async function start(): Promise<void> {
  setState("busy");
  presets ??= Object.fromEntries(
    await Promise.all(
      CHOICES.map(async (c) => [c, await lab.presetPlan(c)] as const),
    ),
  ) as Record<Choice, Plan>;
  loaded = await loadShippedModel(model().value);
  renderLayers();
  planChanged();
}

model().addEventListener("change", () => {
  updateSession({ model: model().value });
  void start();
});
// Layers that followed the old base follow the new one; the others keep their choice.
base.addEventListener("change", () => {
  for (const name of layerNames)
    if (choices[name] === previousBase) {
      choices[name] = base.value as Choice;
      cards.get(name)!.select.value = base.value;
      void showWeights(name);
    }
  previousBase = base.value;
  planChanged();
});
byId("reset").addEventListener("click", () => {
  for (const name of layerNames) {
    choices[name] = base.value as Choice;
    cards.get(name)!.select.value = base.value;
    void showWeights(name);
  }
  planChanged();
});
void start();
