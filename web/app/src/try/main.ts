// Try it: one image (drawn, a test image or the user's picture) through FP32 and every preset,
// probabilities side by side, disagreements with FP32 marked, and the engine time of each.
import { renderNav } from "../shell/nav";
import type { ModelHandle, PlanSpec, QuantizedModelHandle } from "quantlab";
import { lab, loadDataset, loadShippedModel } from "../shell/lab";
import {
  PRESETS,
  planName,
  readSession,
  updateSession,
} from "../shell/session";
import {
  byId,
  el,
  imageCanvas,
  Job,
  kb,
  modelPicker,
  pct,
  softmax,
  argmax,
} from "../shell/ui";
import { drawnDigit, pictureToImage, setUpPad } from "./pad";

renderNav();

const SIZE = 28;
const LATENCY_ROUNDS = 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const session = readSession();
modelPicker(session.model);
const model = () => byId<HTMLSelectElement>("model");
const job = new Job(byId("job"));
const pad = byId<HTMLCanvasElement>("pad");
let image: Uint8Array | undefined;

interface Precision {
  name: string;
  handle: ModelHandle | QuantizedModelHandle;
}
let precisions: { model: string; list: Promise<Precision[]> } | undefined;

function plans(): PlanSpec[] {
  const plan = readSession().plan;
  return typeof plan === "string" ? [...PRESETS] : [...PRESETS, plan];
}

/** FP32 and every plan's quantized model, made once per model. */
function precisionsOf(
  name: string,
  signal: AbortSignal,
  report: (f: number, t: string) => void,
): Promise<Precision[]> {
  if (precisions?.model === name) return precisions.list;
  const old = precisions;
  const list = (async () => {
    if (old)
      for (const p of (await old.list.catch(() => [])).slice(1))
        void lab.dispose(p.handle);
    const { handle } = await loadShippedModel(name);
    const calibration = await loadDataset(
      handle.manifest.dataset,
      "calibration",
      (done, total) =>
        report(
          total ? (0.5 * done) / total : 0,
          `Downloading calibration images: ${kb(done)}`,
        ),
    );
    const { calib, calibSize } = readSession();
    const out: Precision[] = [{ name: "FP32", handle }];
    for (const [i, plan] of plans().entries()) {
      report(0.5 + (0.5 * i) / plans().length, `Quantizing: ${planName(plan)}`);
      out.push({
        name: planName(plan),
        handle: await lab.quantizeModel(handle, calibration, {
          plan,
          calibration: { method: calib, samples: calibSize },
          signal,
        }),
      });
    }
    return out;
  })();
  list.catch(() => (precisions = undefined));
  precisions = { model: name, list };
  return list;
}

async function predict(): Promise<void> {
  if (image === undefined) return;
  const input = image;
  byId("preview").replaceChildren(
    imageCanvas(input, SIZE, SIZE, "The 28 by 28 image the models see"),
  );
  await job.run(async (signal, report) => {
    const list = await precisionsOf(model().value, signal, report);
    const labels = list[0]!.handle.manifest.labels;
    const outputs: (Precision & { probs: Float64Array; ms: number })[] = [];
    // Each precision several times, interleaved; the median engine time of each.
    const times = list.map(() => [] as number[]);
    const logits: Float32Array[] = [];
    for (let round = 0; round < LATENCY_ROUNDS; round++)
      for (const [i, p] of list.entries()) {
        const r = await lab.logits(
          p.handle,
          { images: input, rows: SIZE, cols: SIZE },
          { signal },
        );
        times[i]!.push(r.ms);
        logits[i] = r.logits;
      }
    for (const [i, p] of list.entries())
      outputs.push({ ...p, probs: softmax(logits[i]!), ms: median(times[i]!) });
    const fp32Top = argmax(outputs[0]!.probs);
    const table = byId<HTMLTableElement>("probs");
    const differs = outputs.map((o) => argmax(o.probs) !== fp32Top);
    table.tHead!.replaceChildren(
      el(
        "tr",
        {},
        el("th", { scope: "col", text: "Class" }),
        ...outputs.map((o, i) =>
          el(
            "th",
            { scope: "col", class: differs[i] ? "disagree" : undefined },
            o.name,
            differs[i] ? el("small", { text: " ≠ FP32" }) : null,
          ),
        ),
      ),
    );
    table.tBodies[0]!.replaceChildren(
      ...labels.map((label, c) =>
        el(
          "tr",
          {},
          el("th", { scope: "row", text: label }),
          ...outputs.map((o, i) => {
            const top = argmax(o.probs) === c;
            return el(
              "td",
              {
                class:
                  [differs[i] ? "disagree" : "", top ? "top" : ""]
                    .join(" ")
                    .trim() || undefined,
              },
              pct(o.probs[c]!, 1),
              el("span", {
                class: "prob-bar",
                style: `width:${(100 * o.probs[c]!).toFixed(1)}%`,
                "aria-hidden": "true",
              }),
            );
          }),
        ),
      ),
      el(
        "tr",
        {},
        el("th", {
          scope: "row",
          text: `Engine time (median of ${LATENCY_ROUNDS})`,
        }),
        ...outputs.map((o) => el("td", { text: `${o.ms.toFixed(2)} ms` })),
      ),
    );
    const disagreeing = outputs.filter((_, i) => differs[i]).map((o) => o.name);
    byId("verdict").textContent =
      `FP32 says ${labels[fp32Top]} (${pct(outputs[0]!.probs[fp32Top]!, 1)}). ` +
      (disagreeing.length === 0
        ? "Every precision agrees."
        : `${disagreeing.join(", ")} ${disagreeing.length === 1 ? "disagrees" : "disagree"}.`);
    report(1, "");
  });
}

// A picked image is shown large on the pad; drawing starts afresh over it.
let padHoldsImage = false;
function showOnPad(pixels: Uint8Array): void {
  const context = pad.getContext("2d")!;
  const small = imageCanvas(pixels, SIZE, SIZE, "");
  context.imageSmoothingEnabled = false;
  context.drawImage(small, 0, 0, pad.width, pad.height);
  padHoldsImage = true;
}
pad.addEventListener(
  "pointerdown",
  () => {
    if (padHoldsImage)
      pad.getContext("2d")!.clearRect(0, 0, pad.width, pad.height);
    padHoldsImage = false;
  },
  { capture: true },
);

setUpPad(pad, () => {
  image = drawnDigit(pad, SIZE);
  byId("input-note").textContent =
    "Your drawing, centred and scaled like an MNIST digit.";
  void predict();
});
byId("clear").addEventListener("click", () => {
  pad.getContext("2d")!.clearRect(0, 0, pad.width, pad.height);
  image = undefined;
  byId("preview").replaceChildren();
});
byId("random").addEventListener("click", async () => {
  await job.run(async (_signal, report) => {
    const { handle } = await loadShippedModel(model().value);
    const test = await loadDataset(
      handle.manifest.dataset,
      "test",
      (done, total) =>
        report(
          total ? done / total : 0,
          `Downloading the test images: ${kb(done)}`,
        ),
    );
    const i = Math.floor(Math.random() * test.count);
    image = test.images.slice(i * SIZE * SIZE, (i + 1) * SIZE * SIZE);
    showOnPad(image);
    byId("input-note").textContent =
      `Test image #${i}: truly ${handle.manifest.labels[test.labels[i]!]}.`;
  });
  void predict();
});
byId<HTMLInputElement>("picture").addEventListener("change", async (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (!file) return;
  try {
    const { pixels, inverted } = await pictureToImage(file, SIZE);
    image = pixels;
    showOnPad(pixels);
    byId("input-note").textContent =
      `${file.name}, in grey at 28×28${inverted ? ", inverted (light background)" : ""}.`;
    void predict();
  } catch {
    byId("input-note").textContent =
      `${file.name} is not a picture this browser can open.`;
  }
});
model().addEventListener("change", () => {
  updateSession({ model: model().value });
  void predict();
});
document.body.dataset.state = "ready";
