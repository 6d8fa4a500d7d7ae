// The quantization playground: reads the form, runs the engine in the library's Worker and
// draws what came back. Only the library's public API is used, as any outside app would.
import { renderNav } from "../shell/nav";
import {
  createQuantLab,
  QuantLabError,
  gridLevels,
  type Bits,
  type Granularity,
  type IntRange,
  type QuantSchemeOptions,
  type RoundTripResult,
  type SchemeComparison,
} from "quantlab";
import { ErrorChart, ValueChart } from "./charts";
import {
  DISTRIBUTION_LABELS,
  sampleValues,
  type Distribution,
  type SampleOptions,
} from "./distributions";
import { formatFixed, formatNumber } from "./format";
import { parseNumbers } from "./parse";
import type { ParseMessage } from "./parse-worker";
import { fetchShippedWeights, shippedModel } from "../shell/models";
import { asMatrix, readTensor } from "../shell/safetensors";
import { DEFAULT_SESSION } from "../shell/session";

renderNav();

interface Data {
  values: Float32Array;
  shape: [number, number];
  /** Identifies the values, so work on unchanged values is not repeated. */
  key: string;
}
interface Problem {
  problem: string;
  field: HTMLElement;
}

/** Everything drawn comes from one engine round trip. */
interface Analysis {
  data: Data;
  result: RoundTripResult;
  range: IntRange;
  /** Scale index of each value; absent for per-tensor schemes (all use scale 0). */
  paramIndices?: Uint32Array;
}

const MAX_VALUES = 4_000_000;
const BITS_BREAKDOWN_HINT = "integers + their share of scales and zero points";

const byId = <T extends HTMLElement>(id: string) =>
  document.getElementById(id) as T;
const form = byId<HTMLFormElement>("controls");
const input = (name: string) =>
  form.elements.namedItem(name) as HTMLInputElement;
const radioValue = (name: string) =>
  (form.elements.namedItem(name) as RadioNodeList).value;
const results = document.querySelector<HTMLElement>(".results")!;
const dataError = byId<HTMLParagraphElement>("data-error");
const status = byId<HTMLParagraphElement>("status");

const lab = createQuantLab();
const valueChart = new ValueChart(byId("value-chart"));
const errorChart = new ErrorChart(byId("error-chart"));

let analysis: Analysis | undefined;
let running: AbortController | undefined;
let comparing: { key: string; controller: AbortController } | undefined;
let generated: Data | undefined;
let firstCall = true;

// ---- reading the form -------------------------------------------------------------------------

function wholeNumber(
  name: string,
  min: number,
  max: number,
  label: string,
): number | Problem {
  const field = input(name);
  const value = Number(field.value);
  if (
    field.value.trim() === "" ||
    !Number.isInteger(value) ||
    value < min ||
    value > max
  ) {
    return {
      problem: `${label} must be a whole number from ${min} to ${max.toLocaleString("en")}.`,
      field,
    };
  }
  return value;
}

// Layers sends a real layer's weights here (tensor.html?model=…&layer=…).
let layerData: Data | undefined;

// Large input — a file, or a paste longer than BULK_CHARS — is parsed in a worker with progress
// and kept here instead of in the text box (10^6 numbers in a textarea and parsed on the page
// froze it for seconds).
const BULK_CHARS = 100_000;
let bulk:
  | { key: string; name: string; values?: Float32Array; problem?: string }
  | undefined;
let parser: Worker | undefined;

function parseInWorker(source: Blob, name: string): void {
  parser?.terminate();
  const entry: NonNullable<typeof bulk> = { key: String(Math.random()), name };
  bulk = entry;
  const textarea = byId<HTMLTextAreaElement>("pasted");
  textarea.value = "";
  textarea.placeholder = `Using ${name} (${formatBytes(source.size)}). Type or paste here to use other numbers instead.`;
  const progress = byId<HTMLProgressElement>("parse-progress");
  progress.hidden = false;
  progress.value = 0;
  document.body.dataset.state = "busy";
  status.textContent = `Reading the numbers of ${name}…`;
  parser = new Worker(new URL("./parse-worker.ts", import.meta.url), {
    type: "module",
  });
  parser.addEventListener("message", (event: MessageEvent<ParseMessage>) => {
    if (bulk !== entry) return;
    const message = event.data;
    if ("progress" in message) {
      progress.value = message.progress;
      status.textContent = `Reading the numbers of ${name}: ${Math.round(100 * message.progress)}%`;
      return;
    }
    progress.hidden = true;
    parser?.terminate();
    parser = undefined;
    if ("values" in message) entry.values = message.values;
    else entry.problem = `${name}: ${message.problem}`;
    void update();
  });
  parser.postMessage(source);
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

const formatBytes = (bytes: number) =>
  bytes < 1e6
    ? `${(bytes / 1e3).toFixed(1)} kB`
    : `${(bytes / 1e6).toFixed(1)} MB`;

function readData(): Data | Problem | "pending" {
  if (radioValue("source") === "layer" && layerData !== undefined)
    return layerData;
  if (radioValue("source") === "paste") {
    const textarea = byId<HTMLTextAreaElement>("pasted");
    const useBulk = bulk !== undefined && textarea.value.trim() === "";
    if (useBulk && bulk!.problem !== undefined)
      return { problem: bulk!.problem, field: byId("paste-file") };
    if (useBulk && bulk!.values === undefined) return "pending";
    const parsed = useBulk
      ? { values: bulk!.values! }
      : parseNumbers(textarea.value);
    if ("problem" in parsed)
      return { problem: parsed.problem, field: textarea };
    const rows = wholeNumber("pasteRows", 1, parsed.values.length, "Rows");
    if (typeof rows !== "number") return rows;
    if (parsed.values.length % rows !== 0) {
      return {
        problem: `${parsed.values.length} numbers cannot be split into ${rows} rows of equal length.`,
        field: input("pasteRows"),
      };
    }
    return {
      values: parsed.values,
      shape: [rows, parsed.values.length / rows],
      key: `paste:${rows}:${useBulk ? bulk!.key : textarea.value}`,
    };
  }
  const rows = wholeNumber("rows", 1, 4096, "Rows");
  if (typeof rows !== "number") return rows;
  const k = wholeNumber("k", 1, 65536, "Values per row");
  if (typeof k !== "number") return k;
  const seed = wholeNumber("seed", 0, 2 ** 32 - 1, "Seed");
  if (typeof seed !== "number") return seed;
  if (rows * k > MAX_VALUES) {
    return {
      problem: `${(rows * k).toLocaleString("en")} values is more than this page draws (${MAX_VALUES.toLocaleString("en")}).`,
      field: input("k"),
    };
  }
  const options: SampleOptions = {
    distribution: input("distribution").value as Distribution,
    rows,
    k,
    seed,
    varyRows: input("varyRows").checked,
  };
  const key = `generate:${JSON.stringify(options)}`;
  if (generated?.key !== key)
    generated = { values: sampleValues(options), shape: [rows, k], key };
  byId("generate-summary").textContent =
    `${(rows * k).toLocaleString("en")} values, shape [${rows}, ${k}] like a Linear layer's weight [out, in].`;
  return generated;
}

function readScheme(): Required<QuantSchemeOptions> {
  return {
    bits: Number(radioValue("bits")) as Bits,
    symmetric: radioValue("symmetric") === "true",
    granularity: input("granularity").value as Granularity,
    axis: 0,
    groupSize: Number(input("groupSize").value),
  };
}

// ---- running the engine -----------------------------------------------------------------------

const isAbort = (error: unknown) =>
  error instanceof QuantLabError && error.code === "Aborted";

async function update(): Promise<void> {
  running?.abort();
  const controller = new AbortController();
  running = controller;
  const { signal } = controller;

  const scheme = readScheme();
  byId("group-size-field").hidden = scheme.granularity !== "per_group";
  for (const section of document.querySelectorAll<HTMLElement>(
    "[data-source]",
  )) {
    section.hidden = section.dataset.source !== radioValue("source");
  }
  const data = readData();
  if (data === "pending") return; // the parser calls update() when it is done
  if ("problem" in data) {
    showProblem(data);
    return;
  }
  document.body.dataset.state = "busy";
  try {
    const started = performance.now();
    const result = await lab.roundTrip(data.values, data.shape, scheme, {
      signal,
    });
    const elapsed = performance.now() - started;
    const [range, name, paramIndices] = await Promise.all([
      lab.intRange(scheme.bits, scheme.symmetric, { signal }),
      lab.schemeName(scheme, { signal }),
      scheme.granularity === "per_tensor"
        ? undefined
        : lab.paramIndices(result.quantized, { signal }),
    ]);
    analysis = { data, result, range, paramIndices };
    // Drawing 10^6 values and handing them to the comparison each take a while: separate tasks
    // keep the page responsive in between.
    await nextTask();
    if (signal.aborted) return;
    clearProblem();
    status.classList.remove("failed");
    byId("scheme-name").textContent = name;
    showMetrics(result, data.values.length);
    showSelection();
    status.textContent =
      `Round trip of ${data.values.length.toLocaleString("en")} values computed by the engine in a Web Worker in ` +
      `${elapsed.toFixed(1)} ms, message passing included${firstCall ? " (first call: also started the worker and loaded the engine)" : ""}.`;
    firstCall = false;
    document.body.dataset.state = "ready";
    await nextTask();
    if (signal.aborted) return;
    void compareAll(data, scheme);
  } catch (error) {
    if (isAbort(error)) return;
    const { name, message } = error as Error;
    if (name === "InvalidArgument") {
      showProblem({ problem: message, field: dataField() });
    } else {
      // Not the input's fault (the engine failed to load, a bug): say so where results go.
      status.textContent = `The engine failed: ${message}`;
      status.classList.add("failed");
      document.body.dataset.state = "error";
    }
  }
}

// The values' own input: where an engine complaint about them (NaN, empty, shape) is shown.
function dataField(): HTMLElement {
  return radioValue("source") === "paste" ? byId("pasted") : input("rows");
}

function showProblem({ problem, field }: Problem): void {
  clearProblem();
  dataError.textContent = problem;
  dataError.hidden = false;
  // Right under the input it is about.
  (field.closest(".row") ?? field.closest(".field") ?? field).after(dataError);
  field.setAttribute("aria-invalid", "true");
  field.setAttribute("aria-describedby", "data-error");
  results.classList.add("stale");
  for (const id of ["sqnr", "mse", "max-error", "bits-per-weight"])
    byId(id).textContent = "—";
  byId("bits-breakdown").textContent = BITS_BREAKDOWN_HINT;
  status.textContent =
    "Fix the values to see results; the charts show the last valid input, faded.";
  document.body.dataset.state = "error";
}

function clearProblem(): void {
  dataError.hidden = true;
  results.classList.remove("stale");
  for (const field of form.querySelectorAll("[aria-invalid]")) {
    field.removeAttribute("aria-invalid");
    field.removeAttribute("aria-describedby");
  }
}

function showMetrics({ error, storage }: RoundTripResult, count: number): void {
  byId("sqnr").textContent = formatFixed(error.sqnrDb, 1);
  byId("mse").textContent = formatNumber(error.mse);
  byId("max-error").textContent = formatNumber(error.maxAbsError);
  byId("bits-per-weight").textContent = formatFixed(storage.bitsPerWeight, 3);
  byId("bits-breakdown").textContent =
    `${formatFixed(storage.payloadBits / count, 3)} for the integers + ${formatFixed(storage.parameterBits / count, 3)} ` +
    "for scales (32-bit floats) and zero points";
}

// ---- one group's grid -------------------------------------------------------------------------

function showSelection(): void {
  if (!analysis) return;
  const { data, result, range, paramIndices } = analysis;
  const { scales, zeroPoints, scheme } = result.quantized;
  const slider = byId<HTMLInputElement>("selected");
  slider.max = String(scales.length - 1);
  const selected = Math.min(Number(slider.value), scales.length - 1);
  slider.value = String(selected);

  const members: number[] = [];
  if (paramIndices)
    paramIndices.forEach((p, i) => p === selected && members.push(i));
  const values = paramIndices
    ? Float32Array.from(members, (i) => data.values[i]!)
    : data.values;
  const restored = paramIndices
    ? Float32Array.from(members, (i) => result.restored[i]!)
    : result.restored;
  const scale = scales[selected]!;
  const zeroPoint = zeroPoints[selected]!;
  const levels = gridLevels(range, scale, zeroPoint);

  byId("legend-dense").hidden = !valueChart.show(values, levels);
  errorChart.show(values, restored, scale);

  const inspect = byId("inspect");
  inspect.hidden = scheme.granularity === "per_tensor";
  const kind = scheme.granularity === "per_channel" ? "channel" : "group";
  const where = paramIndices ? describePosition(members, data.shape[1]) : "";
  const gridText = `${levels.length} levels (q from ${range.qmin} to ${range.qmax}), scale ${formatNumber(scale)}, zero point ${zeroPoint}`;
  byId("param-kind").textContent = kind;
  byId("param-label").textContent =
    `${kind[0]!.toUpperCase()}${kind.slice(1)} ${selected + 1} of ${scales.length}`;
  byId("param-summary").textContent =
    `${where}: ${members.length} values, ${gridText}.`;
  byId("chart-caption").textContent = paramIndices
    ? `The ${members.length} values of ${kind} ${selected + 1} (${where}) and, in orange, the ${gridText}. Pick another ${kind} on the left.`
    : `All ${values.length.toLocaleString("en")} values and, in orange, the ${gridText}.`;
}

// Row and column span of a group, read from the engine's parameter indices.
function describePosition(
  members: readonly number[],
  rowLength: number,
): string {
  if (members.length === 0) return "no values";
  const first = members[0]!;
  const last = members[members.length - 1]!;
  const row = Math.floor(first / rowLength);
  return `row ${row + 1}, columns ${(first % rowLength) + 1}–${(last % rowLength) + 1}`;
}

// ---- every scheme on the same values ----------------------------------------------------------

const GRANULARITY_ORDER: readonly Granularity[] = [
  "per_tensor",
  "per_channel",
  "per_group",
];

async function compareAll(
  data: Data,
  scheme: Required<QuantSchemeOptions>,
): Promise<void> {
  const key = `${data.key}:${scheme.groupSize}`;
  if (comparing?.key === key) {
    markCurrentScheme();
    return;
  }
  comparing?.controller.abort();
  const controller = new AbortController();
  comparing = { key, controller };
  const schemes = ([8, 4] as const).flatMap((bits) =>
    [true, false].flatMap((symmetric) =>
      GRANULARITY_ORDER.map((granularity) => ({
        bits,
        symmetric,
        granularity,
        axis: 0,
        groupSize: scheme.groupSize,
      })),
    ),
  );
  const progress = byId<HTMLProgressElement>("compare-progress");
  progress.hidden = false;
  progress.value = 0;
  try {
    const rows = await lab.compareSchemes(data.values, data.shape, schemes, {
      signal: controller.signal,
      onProgress: ({ done, total }) => (progress.value = done / total),
    });
    showComparison(rows);
  } catch (error) {
    if (!isAbort(error)) throw error;
  } finally {
    if (comparing?.controller === controller) progress.hidden = true;
  }
}

function showComparison(rows: SchemeComparison[]): void {
  const body = byId<HTMLTableElement>("compare").tBodies[0]!;
  body.replaceChildren(
    ...rows.map((row) => {
      const tr = document.createElement("tr");
      tr.dataset.scheme = JSON.stringify(row.scheme);
      const cells =
        "problem" in row
          ? [row.name, row.problem]
          : [
              row.name,
              formatFixed(row.storage.bitsPerWeight, 3),
              formatFixed(row.error.sqnrDb, 1),
              formatNumber(row.error.mse),
              formatNumber(row.error.maxAbsError),
            ];
      for (const text of cells) tr.insertCell().textContent = text;
      if ("problem" in row) {
        tr.cells[1]!.colSpan = 4;
        tr.cells[1]!.className = "problem";
      }
      tr.addEventListener("click", () =>
        useScheme(row.scheme as Required<QuantSchemeOptions>),
      );
      return tr;
    }),
  );
  markCurrentScheme();
}

function markCurrentScheme(): void {
  const current = JSON.stringify(readScheme());
  for (const tr of byId<HTMLTableElement>("compare").tBodies[0]!.rows) {
    tr.classList.toggle("current", tr.dataset.scheme === current);
  }
}

function useScheme(scheme: Required<QuantSchemeOptions>): void {
  (
    form.querySelector(
      `input[name=bits][value="${scheme.bits}"]`,
    ) as HTMLInputElement
  ).checked = true;
  (
    form.querySelector(
      `input[name=symmetric][value="${scheme.symmetric}"]`,
    ) as HTMLInputElement
  ).checked = true;
  input("granularity").value = scheme.granularity;
  void update();
}

// ---- wiring -----------------------------------------------------------------------------------

const distribution = byId<HTMLSelectElement>("distribution");
for (const [value, label] of Object.entries(DISTRIBUTION_LABELS))
  distribution.add(new Option(label, value));

let pending: ReturnType<typeof setTimeout> | undefined;
form.addEventListener("input", (event) => {
  if ((event.target as HTMLElement).id === "selected") {
    showSelection();
    return;
  }
  // Typing produces a burst of events; compute once it pauses.
  document.body.dataset.state = "busy";
  clearTimeout(pending);
  pending = setTimeout(() => void update(), 150);
});
form.addEventListener("submit", (event) => event.preventDefault());

const pasted = byId<HTMLTextAreaElement>("pasted");
const examplePlaceholder = pasted.placeholder;
pasted.addEventListener("paste", (event) => {
  const text = event.clipboardData?.getData("text") ?? "";
  if (text.length <= BULK_CHARS) return;
  event.preventDefault();
  parseInWorker(new Blob([text]), "the pasted text");
});
// Typed or pasted text replaces the large input.
pasted.addEventListener("input", () => {
  if (pasted.value.trim() === "" || bulk === undefined) return;
  bulk = undefined;
  pasted.placeholder = examplePlaceholder;
});
byId<HTMLInputElement>("paste-file").addEventListener("change", (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file !== undefined) parseInWorker(file, file.name);
});

async function loadLayer(): Promise<void> {
  const query = new URLSearchParams(location.search);
  const layer = query.get("layer");
  const model = shippedModel(query.get("model") ?? DEFAULT_SESSION.model);
  if (layer === null || model === undefined) return;
  try {
    const weights = readTensor(
      await fetchShippedWeights(model, `${model.name} weights`),
      `${layer}.weight`,
    );
    const shape = asMatrix(weights.shape);
    layerData = {
      values: weights.values,
      shape,
      key: `layer:${model.name}:${layer}`,
    };
    byId("layer-source").hidden = false;
    (form.querySelector('input[value="layer"]') as HTMLInputElement).checked =
      true;
    byId("layer-summary").textContent =
      `${model.name} · ${layer}: ${weights.values.length.toLocaleString("en")} real weights as ${shape[0]} rows (output channels) of ${shape[1]} (K).`;
    const back = document.createElement("a");
    back.href = `./layers.html${location.search.replace(/[?&]layer=[^&]*/, "").replace(/^&/, "?")}`;
    back.textContent = "Back to all layers";
    byId("layer-summary").append(" ", back);
  } catch (error) {
    status.textContent = `Could not read the layer's weights: ${error instanceof Error ? error.message : error}`;
  }
}

void loadLayer().then(update);
