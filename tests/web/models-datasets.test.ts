// The dataset build step (scripts/data): the MNIST split is the documented one, and the assets
// are the same bytes on every build.
import { readFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { buildSplits } from "../../scripts/data/build-datasets.mjs";
import { encodeIdx } from "../../scripts/data/idx.mjs";
import { mulberry32, testCounts } from "../../scripts/data/mnist-split.mjs";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root));

describe("dataset assets", () => {
  const splits = buildSplits();
  const find = (dataset: string, split: string) =>
    splits.find((s) => s.dataset === dataset && s.split === split)!.data;

  it("splits MNIST 8,000 / 2,000 with every class in proportion", () => {
    const train = find("mnist", "train");
    const test = find("mnist", "test");
    expect([train.count, test.count]).toEqual([8000, 2000]);
    const perClass = (labels: Uint8Array) =>
      Array.from(
        { length: 10 },
        (_, d) => labels.filter((l) => l === d).length,
      );
    const trainCounts = perClass(train.labels);
    const testCounts = perClass(test.labels);
    testCounts.forEach((n, d) =>
      expect(Math.abs(n - 0.2 * (n + trainCounts[d]!))).toBeLessThanOrEqual(1),
    );
  });

  it("rounds class shares by largest remainder to the exact total", () => {
    expect(
      testCounts([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978], 2000),
    ).toEqual([200, 225, 198, 206, 196, 173, 203, 214, 189, 196]);
    expect(testCounts([3, 3, 3], 4)).toEqual([2, 1, 1]);
  });

  it("draws from a fixed generator", () => {
    const random = mulberry32(4);
    const first = [random(), random()];
    const again = mulberry32(4);
    expect([again(), again()]).toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it("writes the same bytes the build wrote (deterministic)", () => {
    for (const { dataset, split, data, raw, app } of splits) {
      const images = encodeIdx([data.count, 28, 28], data.images);
      const labels = encodeIdx([data.count], data.labels);
      const name = (kind: string) => `${split}-${kind}-ubyte`;
      if (raw) {
        expect(
          images.equals(read(`build/data/${dataset}/${name("images-idx3")}`)),
        ).toBe(true);
        expect(
          labels.equals(read(`build/data/${dataset}/${name("labels-idx1")}`)),
        ).toBe(true);
      }
      if (app) {
        const appFile = (kind: string) =>
          read(`web/app/public/data/${dataset}/${name(kind)}.gz`);
        expect(gunzipSync(appFile("images-idx3")).equals(images)).toBe(true);
        // The gzip stream itself is reproducible too (level 9, header without a timestamp).
        expect(
          gzipSync(labels, { level: 9 }).equals(appFile("labels-idx1")),
        ).toBe(true);
      }
    }
  });

  it("keeps a class-balanced Fashion-MNIST subset for the app", () => {
    const subset = find("fashion-mnist", "train-subset");
    expect(subset.count).toBe(6000);
    for (let d = 0; d < 10; d++)
      expect(subset.labels.filter((l) => l === d).length).toBe(600);
  });
});
