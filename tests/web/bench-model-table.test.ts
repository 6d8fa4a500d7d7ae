// The end-to-end rows' arithmetic without timing anything: the ratios in the table, the issue's
// targets, the logit comparisons with ONNX Runtime and their limits.
import { describe, expect, it } from "vitest";
import {
  maxRelativeDifference,
  topOneAgreement,
} from "../../web/app/src/bench/logit-agreement";
import type { ModelRow } from "../../web/app/src/bench/model-rows";
import {
  formatModelAgreement,
  formatModelTable,
  modelTableHeader,
  modelTableRow,
  modelTargets,
  plainModelSummary,
} from "../../web/app/src/bench/model-table";

const PLANS = ["int8", "w4a8"];

const row = (overrides: Partial<ModelRow> = {}): ModelRow => ({
  model: "fashion-cnn",
  batch: 256,
  threads: 2,
  ours: { fp32: 20, int8: 10, w4a8: 16 },
  ort: 15,
  ortDifference: 3e-7,
  ortInt8: 20,
  ortInt8Difference: 2.6e-3,
  ortInt8Agreement: 1,
  ...overrides,
});

describe("end-to-end table", () => {
  it("gives each plan its speed-up over FP32 and INT8 and FP32 their ratios to ONNX Runtime", () => {
    const header = modelTableHeader(PLANS);
    const cells = modelTableRow(row(), PLANS);
    expect(cells).toHaveLength(header.length);
    const cell = (column: string) => cells[header.indexOf(column)];
    expect(cell("INT8 ms")).toBe("10.0 (2.0×)");
    expect(cell("W4A8 ms")).toBe("16.0 (1.3×)");
    expect(cell("INT8 vs ORT FP32")).toBe("1.50");
    expect(cell("INT8 vs ORT int8")).toBe("2.00");
    expect(cell("FP32 vs ORT FP32")).toBe("0.750");
    expect(cell("int8 top-1 same")).toBe("100.0%");
  });

  it("leaves ONNX Runtime's columns empty when it did not run", () => {
    const header = modelTableHeader(PLANS);
    const cells = modelTableRow(
      row({
        ort: undefined,
        ortDifference: undefined,
        ortInt8: undefined,
        ortInt8Difference: undefined,
        ortInt8Agreement: undefined,
      }),
      PLANS,
    );
    for (const column of header.filter((h) => h.includes("ORT")))
      expect(cells[header.indexOf(column)]).toBe("—");
    expect(formatModelTable([row()], PLANS).split("\n")).toHaveLength(2);
  });

  it("checks the targets on fashion-cnn at batch 256 and says when ONNX Runtime did not run", () => {
    const checks = modelTargets([row({ batch: 1, ort: 1 }), row()]);
    expect(checks.map((c) => [c.value, c.pass])).toEqual([
      [1.5, true],
      [2, true],
      [0.75, false],
    ]);
    const unmeasured = modelTargets([
      row({ ort: undefined, ortInt8: undefined }),
    ]);
    expect(unmeasured.every((c) => c.value === undefined)).toBe(true);
  });

  it("says each model's batch-256 row in words", () => {
    expect(plainModelSummary([row({ batch: 1 }), row({ ortInt8: 8 })])).toEqual(
      [
        "fashion-cnn, 256 images per call: our INT8 took 10.0 ms, 2.0× faster than our FP32, " +
          "1.5× faster than ONNX Runtime's FP32 graph, 1.3× slower than its int8 graph.",
      ],
    );
    expect(
      plainModelSummary([row({ ort: undefined, ortInt8: undefined })]),
    ).toEqual([
      "fashion-cnn, 256 images per call: our INT8 took 10.0 ms, 2.0× faster than our FP32.",
    ]);
  });

  it("holds every row's logits to the limits", () => {
    expect(formatModelAgreement([row()])).toMatch(/✓$/);
    expect(formatModelAgreement([row(), row({ ortDifference: 1e-3 })])).toMatch(
      /FP32 max \|Δ\| 1\.0e-3 .*✗$/,
    );
    expect(formatModelAgreement([row({ ortInt8Agreement: 0.98 })])).toMatch(
      /≥ 98\.0% .*✗$/,
    );
    expect(formatModelAgreement([row({ ortDifference: undefined })])).toMatch(
      /not compared$/,
    );
  });
});

describe("logits against ONNX Runtime", () => {
  it("measures the largest difference against the largest logit, and the same top classes", () => {
    const ours = Float32Array.from([1, 4, -2, 0, 3, 2]);
    const theirs = Float32Array.from([1, 4.02, -2, 0, 2, 2.5]);
    expect(maxRelativeDifference(ours, theirs)).toBeCloseTo(1 / 4, 6);
    expect(topOneAgreement(ours, theirs, 3)).toBe(0.5);
    expect(topOneAgreement(ours, theirs, 2)).toBeCloseTo(2 / 3, 12);
    expect(() => maxRelativeDifference(ours, theirs.subarray(1))).toThrow(
      /ONNX Runtime gave 5 logits, ours 6/,
    );
  });
});
