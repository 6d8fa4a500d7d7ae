// Deterministic test data shared by the library tests.
import { readFileSync } from "node:fs";
import { parseIdxDataset } from "../../web/lib/src/models/model";
import { seededRandom } from "../../web/lib/src/index";

const root = new URL("../../", import.meta.url);

/** A repository file's bytes, by its path from the repository root. */
export const readRepoFile = (path: string) =>
  new Uint8Array(readFileSync(new URL(path, root)));

type Split = "train" | "test" | "calibration";

/** A split of a dataset the app ships (web/app/public/data/<dataset>). */
export const datasetSplit = (
  dataset: "mnist" | "fashion-mnist",
  split: Split,
) =>
  parseIdxDataset(
    readRepoFile(
      `web/app/public/data/${dataset}/${split}-images-idx3-ubyte.gz`,
    ),
    readRepoFile(
      `web/app/public/data/${dataset}/${split}-labels-idx1-ubyte.gz`,
    ),
  );

/** A split of the MNIST data the app ships (web/app/public/data/mnist). */
export const mnistSplit = (split: Split) => datasetSplit("mnist", split);

/** Normally distributed values (Box–Muller over the library's seeded generator). */
export function normalValues(count: number, seed = 1): Float32Array {
  const uniform = seededRandom(seed);
  return Float32Array.from(
    { length: count },
    () =>
      Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()),
  );
}
