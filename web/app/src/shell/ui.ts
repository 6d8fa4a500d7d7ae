// Small DOM helpers every view uses: element building, number formats, the job runner (a
// progress bar, Cancel and a status line) and the model picker.
import { forgetLoadedModels, isAbort, isWorkerDeath, plainError } from "./lab";
import { MODEL_DESCRIPTIONS, SHIPPED_MODELS } from "./models";

type Child = Node | string | null | undefined | false;

/** An element with attributes (class, id, aria-*, ...) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

export const byId = <T extends HTMLElement = HTMLElement>(id: string) =>
  document.getElementById(id) as T;

export const pct = (x: number, digits = 2) => `${(100 * x).toFixed(digits)}%`;
export const points = (x: number) =>
  `${x > 0 ? "−" : x < 0 ? "+" : "±"}${Math.abs(x).toFixed(2)} pts`;
export const kb = (bytes: number) =>
  `${(bytes / 1000).toLocaleString("en", { maximumFractionDigits: 1 })} kB`;
export const times = (x: number) => `${x.toFixed(2)}×`;

/** A figure with a small second line under it (keeps a table narrow). */
export const twoLines = (main: string, detail: string) =>
  el("span", {}, main, el("br"), el("small", { text: detail }));

/** An accuracy over its 95% interval, as Compare's and QAT's tables show it. */
export const accuracyWithInterval = (
  accuracy: number,
  [low, high]: readonly [number, number],
) => twoLines(pct(accuracy), `${pct(low, 1)}–${pct(high, 1)}`);

/** Marks the page busy/ready/error (tests wait on body[data-state]). */
export function setState(state: "busy" | "ready" | "error"): void {
  document.body.dataset.state = state;
}

/**
 * Runs long work with a progress bar and a Cancel button; only one run at a time. The
 * status line says what happens, and errors in plain words.
 */
export class Job {
  readonly progress = el("progress", {
    max: 1,
    value: 0,
    hidden: true,
    "aria-label": "Progress",
  });
  readonly cancel = el("button", {
    type: "button",
    class: "secondary",
    hidden: true,
    text: "Cancel",
  });
  readonly status = el("p", {
    class: "status",
    role: "status",
    "aria-live": "polite",
  });
  private controller: AbortController | undefined;

  constructor(container: HTMLElement) {
    container.append(
      el("div", { class: "job" }, this.progress, this.cancel),
      this.status,
    );
    this.cancel.addEventListener("click", () => this.controller?.abort());
  }

  get running(): boolean {
    return this.controller !== undefined;
  }

  report(fraction: number, text: string): void {
    this.progress.value = Math.max(0, Math.min(1, fraction));
    this.status.textContent = text;
  }

  async run<T>(
    work: (
      signal: AbortSignal,
      report: (fraction: number, text: string) => void,
    ) => Promise<T>,
  ): Promise<T | undefined> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.progress.hidden = false;
    this.cancel.hidden = false;
    this.status.classList.remove("failed");
    setState("busy");
    try {
      const result = await work(controller.signal, (f, t) => {
        if (this.controller === controller) this.report(f, t);
      });
      if (this.controller === controller) setState("ready");
      return result;
    } catch (error) {
      if (isWorkerDeath(error)) forgetLoadedModels();
      if (this.controller !== controller) return undefined;
      this.status.textContent = isAbort(error)
        ? "Cancelled. Nothing was changed."
        : plainError(error);
      this.status.classList.toggle("failed", !isAbort(error));
      setState(isAbort(error) ? "ready" : "error");
      return undefined;
    } finally {
      if (this.controller === controller) {
        this.controller = undefined;
        this.progress.hidden = true;
        this.cancel.hidden = true;
      }
    }
  }
}

/** A select of the shipped models, labelled, with what each one is. */
export function modelSelect(current: string, id = "model"): HTMLSelectElement {
  const select = el("select", { id, name: "model" });
  for (const { name } of SHIPPED_MODELS)
    select.append(
      el("option", {
        value: name,
        selected: name === current,
        text: `${name} (${MODEL_DESCRIPTIONS[name] ?? ""})`,
      }),
    );
  return select;
}

/** Fills the page's model fieldset (#model-fieldset) with its legend and the shipped models. */
export function modelPicker(current: string): HTMLSelectElement {
  const select = modelSelect(current);
  byId("model-fieldset").prepend(
    el("legend", { text: "1 · Model" }),
    el(
      "label",
      { class: "field" },
      el("span", { text: "Shipped model" }),
      select,
    ),
  );
  return select;
}

/** A 28×28 (or rows×cols) u8 image as a small canvas, scaled up crisply by CSS. */
export function imageCanvas(
  pixels: Uint8Array,
  rows: number,
  cols: number,
  label: string,
): HTMLCanvasElement {
  const canvas = el("canvas", {
    width: cols,
    height: rows,
    class: "digit",
    role: "img",
    "aria-label": label,
  });
  const context = canvas.getContext("2d")!;
  const image = context.createImageData(cols, rows);
  for (let i = 0; i < rows * cols; i++) {
    const v = pixels[i]!;
    image.data.set([v, v, v, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
  return canvas;
}

/** The k best classes of one row of logits, with softmax probabilities. */
export function topK(
  logits: Float32Array,
  row: number,
  classes: number,
  k: number,
): { index: number; p: number }[] {
  const probs = softmax(logits.subarray(row * classes, (row + 1) * classes));
  return Array.from(probs, (p, index) => ({ index, p }))
    .sort((a, b) => b.p - a.p)
    .slice(0, k);
}

export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++)
    sum += out[i] = Math.exp(logits[i]! - max);
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

export function argmax(
  values: ArrayLike<number>,
  from = 0,
  count = values.length,
): number {
  let best = from;
  for (let i = from + 1; i < from + count; i++)
    if (values[i]! > values[best]!) best = i;
  return best - from;
}
