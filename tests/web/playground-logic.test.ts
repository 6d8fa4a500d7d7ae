// The playground's own logic (no engine): reading pasted numbers and binning values on the grid.
import { describe, expect, it } from "vitest";
import { gridHistogram } from "../../web/app/src/playground/histogram";
import { parseNumbers } from "../../web/app/src/playground/parse";
import { gridLevels } from "../../web/lib/src/index";

describe("parseNumbers", () => {
  it("accepts commas, semicolons, spaces and new lines", () => {
    expect(parseNumbers("1, -2.5;3e-2\n\t4  +5")).toEqual({
      values: Float32Array.from([1, -2.5, 3e-2, 4, 5]),
    });
  });

  it("keeps NaN and infinities for the engine to reject", () => {
    const parsed = parseNumbers("nan -Infinity inf");
    expect(parsed).toEqual({
      values: Float32Array.from([NaN, -Infinity, Infinity]),
    });
  });

  it("names the first item that is not a number", () => {
    expect(parseNumbers("0.5 banana 2")).toEqual({
      problem: "“banana” (item 2) is not a number.",
    });
  });

  it("asks for at least one number", () => {
    expect(parseNumbers(" ,\n ")).toEqual({
      problem: "Paste at least one number.",
    });
  });
});

describe("gridHistogram", () => {
  it("never lets a bin straddle a rounding boundary of the grid", () => {
    const levels = gridLevels({ qmin: -8, qmax: 7 }, 0.25, 0);
    const values = Float32Array.from(
      { length: 200 },
      (_, i) => -1.9 + i * 0.0175,
    );
    const { centers, counts } = gridHistogram(values, levels);
    const width = centers[1]! - centers[0]!;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(values.length);
    for (const center of centers) {
      // Rounding boundaries sit at level ± step/2; bin edges must fall on or between them.
      const cell = Math.floor((center - width / 2 + 0.125) / 0.25 + 1e-9);
      expect(Math.floor((center + width / 2 + 0.125) / 0.25 - 1e-9)).toBe(cell);
    }
  });

  it("falls back to plain bins when there is no grid step", () => {
    const { counts } = gridHistogram(
      Float32Array.from([1, 2, 3]),
      Float64Array.from([0]),
    );
    expect(counts.reduce((a, b) => a + b, 0)).toBe(3);
  });
});

describe("parseNumbers on large input", () => {
  it("reports growing progress and returns every number", () => {
    const text = Array.from({ length: 250_000 }, (_, i) => i % 97).join(",");
    const progress: number[] = [];
    const parsed = parseNumbers(text, (f) => progress.push(f));
    expect("values" in parsed && parsed.values.length).toBe(250_000);
    expect("values" in parsed && parsed.values[249_999]).toBe(249_999 % 97);
    expect(progress.length).toBe(2); // after 100,000 and 200,000 numbers
    expect(progress[0]).toBeLessThan(progress[1]!);
    expect(progress[1]).toBeLessThan(1);
  });
});
