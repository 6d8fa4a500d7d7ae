// Comparing reports and the regression gate (docs/report.md) through the library (the built
// package) and the npm CLI (`quantlab report --baseline`, `quantlab compare`) on the wasm engine:
// a report compared with a re-measurement of itself is within noise and passes; a planted
// regression — a plan named "int8" that quantizes to 4 bits per tensor, 1.2 points worse on
// fashion-mlp's 10,000 test images — is called significantly worse by McNemar on the paired
// predictions and fails the gate with exit code 3.
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  createQuantLab,
  QuantLabError,
  type QuantLab,
  type Report,
  type ReportComparison,
} from "../../web/lib/dist/index.node.js";
import { main } from "../../web/lib/src/cli";
import { datasetSplit, readRepoFile as read } from "./fixtures";

const root = fileURLToPath(new URL("../../", import.meta.url));
const PLANTED = "tests/cli/planted-regression-int8.json";
const planted = JSON.parse(readFileSync(PLANTED, "utf8"));

describe("compareReports (library)", () => {
  let lab: QuantLab;
  afterEach(async () => {
    await lab.dispose();
  });

  it("pairs two reports of the same test set: the same plan is within noise, a planted regression is significantly worse", async () => {
    lab = createQuantLab({ worker: false });
    const model = await lab.loadModel({
      manifest: read("models/fashion-mlp/manifest.json"),
      weights: read("models/fashion-mlp/model.safetensors"),
    });
    const test = await datasetSplit("fashion-mnist", "test");
    const calibration = await datasetSplit("fashion-mnist", "calibration");
    const options = { speedRounds: 0 };
    const base: Report = await lab.report(model, test, calibration, {
      ...options,
      plans: ["int8"],
    });
    expect(base.engine_version).toBe(
      JSON.parse(readFileSync("package.json", "utf8")).version,
    );
    expect(base.model_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(base.dataset_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(atob(base.plans[0]!.predictions!)).toHaveLength(test.labels.length);

    const same: ReportComparison = await lab.compareReports(base, base, {
      maxDecay: 5,
      maxSize: 1.05,
    });
    expect(same.paired).toBe(true);
    expect(same.same_model).toBe(true);
    expect(same.rows.map((r) => [r.name, r.verdict])).toEqual([
      ["fp32", "within noise"],
      ["int8", "within noise"],
    ]);
    expect(same.rows[1]!.paired).toMatchObject({
      base_only_correct: 0,
      new_only_correct: 0,
      p_value: 1,
      agreement: 1,
    });
    expect(same.gate.passed).toBe(true);

    const regressed = await lab.report(model, test, calibration, {
      ...options,
      plans: [planted],
    });
    const comparison = await lab.compareReports(base, regressed);
    const int8 = comparison.rows.find((r) => r.name === "int8")!;
    expect(int8.plan_changed).toBe(true);
    expect(int8.verdict).toBe("significantly worse");
    expect(int8.paired!.p_value).toBeLessThan(0.05);
    expect(comparison.gate.passed).toBe(false);
    expect(comparison.gate.failures.map((f) => f.check)).toEqual([
      "significance",
    ]);
    expect(await lab.gateSummary(comparison)).toMatch(
      /^quantlab gate: FAILED: 1 of 2 checks .*\n- int8: accuracy fell/,
    );
    expect(await lab.comparisonMarkdown(comparison)).toContain(
      "| int8 (plan changed) |",
    );

    const error = await lab
      .compareReports(base, { ...base, version: 2 } as unknown as Report)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuantLabError);
    expect((error as QuantLabError).code).toBe("InvalidArgument");
    expect(String(error)).toContain(
      "new report: report version 2 is not supported",
    );
  });
});

describe("the gate in the npm CLI", () => {
  const dir = mkdtempSync(join(tmpdir(), "quantlab-gate-"));
  const path = (name: string) => join(dir, name);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
      args,
      (line) => out.push(line),
      (line) => err.push(line),
    );
    return { code, out: out.join("\n"), err: err.join("\n") };
  };
  const report = (plans: string, out: string, ...gate: string[]) =>
    run([
      "report",
      "models/fashion-mlp",
      "--plans",
      plans,
      "--speed-rounds",
      "1",
      "--format",
      "json",
      "--out",
      path(out),
      ...gate,
    ]);

  it("passes a re-measurement, catches a planted regression (exit 3) and compare names it", async () => {
    expect((await report("int8", "base.json")).code).toBe(0);

    const same = await report(
      "int8",
      "same.json",
      "--baseline",
      path("base.json"),
      "--max-decay",
      "0.3",
      "--max-size",
      "1.05",
    );
    expect(same.err).toMatch(/\| int8 \| [\d.]+% → [\d.]+% \| \+0\.00 \|/);
    expect(same.err).toContain("quantlab gate: passed");
    expect(same.code).toBe(0);

    const caught = await report(
      PLANTED,
      "planted.json",
      "--baseline",
      path("base.json"),
      "--max-decay",
      "0.3",
    );
    expect(caught.err).toMatch(
      /quantlab gate: FAILED: 2 of \d+ checks.*\n- int8: decay [\d.]+ points vs FP32 exceeds the maximum 0\.30 \(--max-decay\)\n- int8: accuracy fell [\d.]+ points vs the baseline on the same images, significant by McNemar/,
    );
    expect(caught.code).toBe(3);

    const compared = await run([
      "compare",
      path("base.json"),
      path("planted.json"),
      "--format",
      "json",
    ]);
    expect(compared.code).toBe(3);
    const comparison = JSON.parse(compared.out) as ReportComparison;
    expect(comparison.rows.find((r) => r.name === "int8")!.verdict).toBe(
      "significantly worse",
    );
    expect(compared.err).toContain("quantlab gate: FAILED");

    // A bigger model is a size regression; the baseline's own numbers pass every threshold.
    const grown = JSON.parse(readFileSync(path("same.json"), "utf8"));
    grown.plans[0].weight_bytes *= 1.2;
    writeFileSync(path("grown.json"), JSON.stringify(grown));
    const bigger = await run([
      "compare",
      path("base.json"),
      path("grown.json"),
      "--max-size",
      "1.05",
    ]);
    expect(bigger.out).toContain("int8: weights are 1.200× the baseline's");
    expect(bigger.code).toBe(3);
  });

  // The native CLI (built by scripts/build.sh before the tests) and the wasm engine hash the same
  // model and test set alike and predict the same classes, so their reports pair.
  const native = join(root, "build/native/quantlab");
  it.skipIf(!existsSync(native))(
    "pairs a native report with a wasm one image by image",
    async () => {
      execFileSync(
        native,
        [
          "report",
          "models/fashion-mlp",
          "--plans",
          "int8",
          "--speed-rounds",
          "0",
          "--format",
          "json",
          "--out",
          path("native.json"),
        ],
        { cwd: root, stdio: "ignore" },
      );
      expect(
        (await report("int8", "wasm.json", "--speed-rounds", "0")).code,
      ).toBe(0);
      const compared = await run([
        "compare",
        path("native.json"),
        path("wasm.json"),
        "--format",
        "json",
      ]);
      const comparison = JSON.parse(compared.out) as ReportComparison;
      expect(comparison).toMatchObject({
        same_model: true,
        same_dataset: true,
        paired: true,
      });
      for (const row of comparison.rows)
        expect(row.paired).toMatchObject({ agreement: 1, p_value: 1 });
      expect(compared.code).toBe(0);
    },
  );

  it("refuses thresholds without a baseline and files that are not reports", async () => {
    const noBaseline = await run([
      "report",
      "models/mnist-mlp",
      "--max-decay",
      "0.3",
    ]);
    expect(noBaseline.code).toBe(1);
    expect(noBaseline.err).toContain("need --baseline FILE");
    writeFileSync(path("not-a-report.json"), "{}");
    const notReport = await run([
      "compare",
      path("not-a-report.json"),
      path("not-a-report.json"),
    ]);
    expect(notReport.code).toBe(1);
    expect(notReport.err).toContain("not a quantlab report");
    const badNumber = await run(["compare", "a", "b", "--max-size", "big"]);
    expect(badNumber.err).toContain(
      "--max-size must be a non-negative number, got 'big'",
    );
  });
});
