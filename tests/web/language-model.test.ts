// The language model through the library (worker_threads Worker, the built package): loading,
// generation under several plans that is the same for the same seed with per-token KL after the
// first plan, the LM report on a slice of the test text, and the errors of bad input.
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import {
  createQuantLab,
  QuantLabError,
  type QuantLab,
} from "../../web/lib/dist/index.node.js";
import { readRepoFile as read } from "./fixtures";

const files = {
  manifest: read("models/brown-lm/manifest.json"),
  weights: read("models/brown-lm/model.safetensors"),
};
const corpus = (split: "test" | "calibration") =>
  gunzipSync(read(`web/app/public/data/brown/${split}-corpus.txt.gz`)).toString(
    "latin1",
  );

const labs: QuantLab[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((lab) => lab.dispose()));
});
const newLab = () => {
  const lab = createQuantLab();
  labs.push(lab);
  return lab;
};

describe("the language model", () => {
  it("generates the same text for the same seed under each plan, with KL from FP32", async () => {
    const lab = newLab();
    const lm = await lab.loadLanguageModel(files);
    expect(lm.kind).toBe("language-model");
    expect(lm.manifest.config.layers).toBe(4);
    const options = { plans: ["fp32", "w4a8"], tokens: 24, seed: 5 } as const;
    const calibration = corpus("calibration");
    const first = await lab.generateText(lm, "The jury", calibration, {
      ...options,
      plans: [...options.plans],
    });
    const [fp32, int4] = first.continuations;
    expect(fp32!.plan).toBe("fp32");
    expect(fp32!.kl).toBeNull();
    expect(fp32!.text).toHaveLength(24);
    expect(int4!.plan).toBe("w4a8");
    expect(int4!.bitsPerWeight).toBeCloseTo(5.125, 2);
    expect(int4!.kl).toHaveLength(24);
    expect(int4!.kl!.every((kl) => kl >= 0 && Number.isFinite(kl))).toBe(true);
    expect(int4!.tokensPerSecond).toBeGreaterThan(0);
    const again = await lab.generateText(lm, "The jury", calibration, {
      ...options,
      plans: [...options.plans],
    });
    expect(again.continuations.map((c) => c.text)).toEqual(
      first.continuations.map((c) => c.text),
    );
  }, 120_000);

  it("reports perplexity, KL, agreement and speed for FP32 and each plan", async () => {
    const lab = newLab();
    const lm = await lab.loadLanguageModel(files);
    const report = await lab.languageModelReport(
      lm,
      corpus("test"),
      corpus("calibration"),
      { plans: ["int8", "int4-g32"], tokens: 1024, speedRounds: 1 },
    );
    expect(report.tokens).toBe(1024);
    expect(report.rows.map((r) => r.plan)).toEqual([
      "fp32",
      "int8",
      "int4-g32",
    ]);
    const [fp32, int8, int4] = report.rows;
    expect(fp32!.klMean).toBe(0);
    expect(int8!.perplexity / fp32!.perplexity).toBeLessThan(1.01);
    expect(int4!.klMean).toBeGreaterThan(int8!.klMean);
    expect(report.markdown).toContain("| int4-g32 |");
  }, 180_000);

  it("refuses a broken model file and an unknown plan with their reasons", async () => {
    const lab = newLab();
    await expect(
      lab.loadLanguageModel({ ...files, weights: new Uint8Array(8) }),
    ).rejects.toMatchObject({ code: "InvalidModel" });
    const lm = await lab.loadLanguageModel(files);
    const error = await lab
      .generateText(lm, "a", corpus("calibration"), {
        plans: ["int3" as never],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuantLabError);
    expect((error as QuantLabError).code).toBe("InvalidPlan");
    expect((error as QuantLabError).message).toContain("int3");
  }, 60_000);
});
