// Generate: the shipped language model continues a prompt under FP32, INT8 and INT4 (W4A8) with
// the same seed (lab.generateText); each continuation with its tokens per second, and the INT4
// text coloured by the KL divergence of each character's distribution from FP32's.
import type { Continuation, LanguageModelHandle } from "quantlab";
import { renderNav } from "../shell/nav";
import { fetchBytes, lab } from "../shell/lab";
import { fetchShippedWeights, SHIPPED_LANGUAGE_MODEL } from "../shell/models";
import { byId, el, Job, kb, setState } from "../shell/ui";

renderNav();

const PLANS = [
  { plan: "fp32", label: "FP32" },
  { plan: "int8", label: "INT8 (W8A8)" },
  { plan: "w4a8", label: "INT4 g32 (W4A8)" },
] as const;

/** KL bins (nats) and the class that colours a character in each. */
const KL_BINS = [
  { below: 0.01, className: "kl-0", label: "< 0.01" },
  { below: 0.05, className: "kl-1", label: "< 0.05" },
  { below: 0.2, className: "kl-2", label: "< 0.2" },
  { below: Infinity, className: "kl-3", label: "≥ 0.2 nats" },
];

const job = new Job(byId("job"));
const results = byId("results");

// A static server may send a .gz file with Content-Encoding: gzip (the browser then undoes it)
// or as it is: decompress only what still starts with gzip's magic number.
async function gunzipText(bytes: Uint8Array): Promise<string> {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b)
    return new TextDecoder("latin1").decode(bytes);
  const stream = new Blob([new Uint8Array(bytes)])
    .stream()
    .pipeThrough(new DecompressionStream("gzip"));
  return new TextDecoder("latin1").decode(
    await new Response(stream).arrayBuffer(),
  );
}

interface LoadedLanguageModel {
  lm: LanguageModelHandle;
  calibration: string;
}

// The model and its calibration text, fetched and loaded once per page.
let loading: Promise<LoadedLanguageModel> | undefined;
function loadLanguageModel(
  report: (fraction: number, text: string) => void,
): Promise<LoadedLanguageModel> {
  if (loading !== undefined) return loading;
  const started = (async () => {
    const [manifest, weights, calibration] = await Promise.all([
      fetchBytes(SHIPPED_LANGUAGE_MODEL.manifestUrl, "language model manifest"),
      fetchShippedWeights(
        SHIPPED_LANGUAGE_MODEL,
        "language model weights",
        (done, total) =>
          report(
            total ? (0.5 * done) / total : 0,
            `Downloading the model: ${kb(done)}`,
          ),
      ),
      fetchBytes(
        "./data/brown/calibration-corpus.txt.gz",
        "calibration text",
      ).then(gunzipText),
    ]);
    const lm = await lab.loadLanguageModel({ manifest, weights });
    return { lm, calibration };
  })();
  started.catch(() => {
    loading = undefined;
  });
  loading = started;
  return started;
}

function klText(continuation: Continuation): HTMLElement {
  const paragraph = el("p", {
    class: "text kl-text",
    "data-testid": "kl-text",
  });
  const kl = continuation.kl ?? [];
  [...continuation.text].forEach((char, i) => {
    const value = kl[i] ?? 0;
    const bin = KL_BINS.find((b) => value < b.below)!;
    paragraph.append(
      el("span", {
        class: bin.className,
        title: `KL ${value.toFixed(4)} nats`,
        text: char,
      }),
    );
  });
  return paragraph;
}

function card(
  label: string,
  continuation: Continuation,
  prompt: string,
  fp32: Continuation,
): HTMLElement {
  const speedup = continuation.tokensPerSecond / fp32.tokensPerSecond;
  const kl = continuation.kl;
  const meanKl =
    kl && kl.length > 0 ? kl.reduce((a, b) => a + b, 0) / kl.length : 0;
  const article = el(
    "article",
    { class: "card continuation", "data-plan": continuation.plan },
    el(
      "header",
      {},
      el("h2", { text: label }),
      el("p", {
        class: "speed",
        text:
          `${continuation.tokensPerSecond.toFixed(0)} tokens/s` +
          (continuation === fp32 ? "" : ` (${speedup.toFixed(2)}× FP32)`) +
          ` · ${continuation.bitsPerWeight.toFixed(2)} bits per weight · ${kb(continuation.weightBytes)}`,
      }),
    ),
    el(
      "p",
      { class: "text", "data-testid": "continuation" },
      el("span", { class: "prompt-part", text: prompt }),
      continuation.text,
    ),
  );
  if (kl !== null && continuation.plan === "w4a8") {
    article.append(
      el("h3", {
        text: `Per-character KL from FP32 (mean ${meanKl.toFixed(4)} nats)`,
      }),
      klText(continuation),
      el(
        "p",
        { class: "kl-legend" },
        "KL:",
        ...KL_BINS.map((b) =>
          el("span", { class: b.className, text: b.label }),
        ),
      ),
    );
  }
  return article;
}

async function generate(): Promise<void> {
  const prompt = byId<HTMLTextAreaElement>("prompt").value;
  const tokens = Number(byId<HTMLInputElement>("tokens").value);
  const temperature = Number(byId<HTMLInputElement>("temperature").value);
  const seed = Number(byId<HTMLInputElement>("seed").value);
  await job.run(async (signal, report) => {
    const { lm, calibration } = await loadLanguageModel(report);
    report(0.6, "Quantizing (once) and generating under each plan…");
    const { continuations } = await lab.generateText(lm, prompt, calibration, {
      plans: PLANS.map((p) => p.plan),
      tokens,
      temperature,
      seed,
      signal,
    });
    const fp32 = continuations[0]!;
    results.replaceChildren(
      el(
        "div",
        { class: "continuations" },
        ...continuations.map((c, i) => card(PLANS[i]!.label, c, prompt, fp32)),
      ),
    );
    report(1, "Done: the same seed gives the same texts.");
  });
}

byId<HTMLFormElement>("controls").addEventListener("submit", (event) => {
  event.preventDefault();
  void generate();
});

setState("ready");
