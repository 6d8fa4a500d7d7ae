// The app's shipped datasets (public/data/datasets.json lists each one's splits and files), as
// gzipped IDX files fetched with progress; no engine needed (lab.ts parses them in the page's
// engine, the Kernels page hands them to its own worker).
import { fetchBytes, type OnProgress } from "./fetch";

interface DatasetIndex {
  [dataset: string]: {
    labels: string[];
    splits: Record<string, { count: number; images: string; labels: string }>;
  };
}

/**
 * The app's splits of a dataset: test, calibration (the first 1,024 training images) and
 * training (the shipped part of the training split: "train" or "train-subset", which begins
 * with the calibration images).
 */
export type Split = "test" | "calibration" | "training";

/** A split's gzipped IDX images and labels. */
export interface SplitFiles {
  images: Uint8Array;
  labels: Uint8Array;
}

const fileSplits = (split: Split) =>
  split === "training" ? ["train", "train-subset"] : [split];

let index: Promise<DatasetIndex> | undefined;

function datasetIndex(): Promise<DatasetIndex> {
  index ??= fetchBytes("./data/datasets.json", "dataset list").then(
    (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as DatasetIndex,
  );
  return index;
}

/** How many images the app ships of a dataset's split (0 if none). */
export async function splitCount(dataset: string, split: Split) {
  const splits = (await datasetIndex())[dataset]?.splits ?? {};
  return (
    fileSplits(split)
      .map((name) => splits[name]?.count ?? 0)
      .find((count) => count > 0) ?? 0
  );
}

/** A split's files, fetched (the images with progress). */
export async function fetchSplitFiles(
  dataset: string,
  split: Split,
  onProgress?: OnProgress,
): Promise<SplitFiles> {
  const splits = (await datasetIndex())[dataset]?.splits ?? {};
  const entry = fileSplits(split)
    .map((name) => splits[name])
    .find((found) => found !== undefined);
  if (entry === undefined)
    throw new Error(
      `The app has no ${split} split of the dataset “${dataset}”.`,
    );
  const what = `${dataset} ${split} images`;
  const [images, labels] = await Promise.all([
    fetchBytes(`./data/${entry.images}`, what, onProgress),
    fetchBytes(`./data/${entry.labels}`, `${dataset} ${split} labels`),
  ]);
  return { images, labels };
}
