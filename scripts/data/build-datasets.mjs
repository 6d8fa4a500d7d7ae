// Build step (run by scripts/build.d/10-datasets.sh): turns the packaged datasets into the
// binary assets the engine, the tests and the app read. Output is byte-identical on every run.
//
//   build/data/<dataset>/{train,test}-{images-idx3,labels-idx1}-ubyte       raw IDX (CLI, tests)
//   web/app/public/data/<dataset>/<split>-{images-idx3,labels-idx1}-ubyte.gz  gzipped IDX (app, npm CLI)
//   web/app/public/data/datasets.json                                        what is where
//
// <dataset> is mnist (the split of ./mnist-split.mjs) or fashion-mnist (Debian's
// dataset-fashion-mnist: train 60,000, test 10,000; the app gets the test set and a
// stratified train-subset of the first 600 images of each class). Both datasets also get a
// `calibration` split for the app and the npm CLI: the first 1,024 training images, so that a
// calibration of N ≤ 1,024 images sees exactly the images the native CLI takes from the front
// of the full training split, and both report the same numbers.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { decodeIdx, encodeIdx } from "./idx.mjs";
import { PIXELS, readMnistDigits, splitMnist } from "./mnist-split.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const FASHION_SOURCE = "/usr/share/datasets/fashion-mnist";
export const FASHION_SUBSET_PER_CLASS = 600;
export const CALIBRATION_COUNT = 1024;
const LABELS = {
  mnist: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
  "fashion-mnist": [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
  ],
};

const fileName = (split, kind) =>
  `${split}-${kind === "images" ? "images-idx3" : "labels-idx1"}-ubyte`;

/** IDX files of a split: { images, labels } as Buffers. */
function idxFiles({ count, images, labels }) {
  return {
    images: encodeIdx([count, 28, 28], images),
    labels: encodeIdx([count], labels),
  };
}

function fashionSplit(source) {
  const images = decodeIdx(
    gunzipSync(
      readFileSync(join(FASHION_SOURCE, `${source}-images-idx3-ubyte.gz`)),
    ),
  );
  const labels = decodeIdx(
    gunzipSync(
      readFileSync(join(FASHION_SOURCE, `${source}-labels-idx1-ubyte.gz`)),
    ),
  );
  return { count: labels.dims[0], images: images.data, labels: labels.data };
}

function firstPerClass(split, perClass) {
  const taken = new Array(10).fill(0);
  const chosen = [];
  split.labels.forEach((label, i) => {
    if (taken[label] < perClass) {
      taken[label]++;
      chosen.push(i);
    }
  });
  const images = new Uint8Array(chosen.length * PIXELS);
  chosen.forEach((index, i) =>
    images.set(
      split.images.subarray(index * PIXELS, (index + 1) * PIXELS),
      i * PIXELS,
    ),
  );
  return {
    count: chosen.length,
    images,
    labels: Uint8Array.from(chosen, (i) => split.labels[i]),
  };
}

function firstImages(split, count) {
  return {
    count,
    images: split.images.slice(0, count * PIXELS),
    labels: split.labels.slice(0, count),
  };
}

/** Every dataset split as { dataset, split, raw (build/data), app (gzipped for the app) }. */
export function buildSplits() {
  const mnist = splitMnist(readMnistDigits());
  const fashionTrain = fashionSplit("train");
  const fashionTest = fashionSplit("t10k");
  return [
    {
      dataset: "mnist",
      split: "train",
      data: mnist.train,
      raw: true,
      app: true,
    },
    { dataset: "mnist", split: "test", data: mnist.test, raw: true, app: true },
    {
      dataset: "fashion-mnist",
      split: "train",
      data: fashionTrain,
      raw: true,
      app: false,
    },
    {
      dataset: "fashion-mnist",
      split: "test",
      data: fashionTest,
      raw: true,
      app: true,
    },
    {
      dataset: "fashion-mnist",
      split: "train-subset",
      data: firstPerClass(fashionTrain, FASHION_SUBSET_PER_CLASS),
      raw: false,
      app: true,
    },
    ...[
      ["mnist", mnist.train],
      ["fashion-mnist", fashionTrain],
    ].map(([dataset, train]) => ({
      dataset,
      split: "calibration",
      data: firstImages(train, CALIBRATION_COUNT),
      raw: false,
      app: true,
    })),
  ];
}

/** Writes every asset under `rawDir` and `appDir`; returns the datasets.json index. */
export function writeAssets(rawDir, appDir) {
  const index = {};
  for (const { dataset, split, data, raw, app } of buildSplits()) {
    const files = idxFiles(data);
    index[dataset] ??= { labels: LABELS[dataset], splits: {} };
    for (const kind of ["images", "labels"]) {
      if (raw) {
        mkdirSync(join(rawDir, dataset), { recursive: true });
        writeFileSync(
          join(rawDir, dataset, fileName(split, kind)),
          files[kind],
        );
      }
      if (app) {
        mkdirSync(join(appDir, dataset), { recursive: true });
        // Level 9 and Node's fixed gzip header (mtime 0) keep the bytes the same every build.
        writeFileSync(
          join(appDir, dataset, `${fileName(split, kind)}.gz`),
          gzipSync(files[kind], { level: 9 }),
        );
      }
    }
    if (app) {
      index[dataset].splits[split] = {
        count: data.count,
        images: `${dataset}/${fileName(split, "images")}.gz`,
        labels: `${dataset}/${fileName(split, "labels")}.gz`,
      };
    }
  }
  writeFileSync(
    join(appDir, "datasets.json"),
    `${JSON.stringify(index, null, 2)}\n`,
  );
  return index;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeAssets(
    join(root, "build", "data"),
    join(root, "web", "app", "public", "data"),
  );
}
