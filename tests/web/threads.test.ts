// The threaded engine in Node (Emscripten pthreads on worker_threads): chosen by default when
// the machine has several cores, reported by info(), and giving the same bits as one thread on
// whole models (FP32 and quantized). Speed is never asserted: `npm run bench` measures it.
import { afterAll, describe, expect, it } from "vitest";
import {
  createQuantLab,
  QuantLabError,
} from "../../web/lib/dist/index.node.js";
import { datasetSplit, readRepoFile } from "./fixtures";

const labs: ReturnType<typeof createQuantLab>[] = [];
const lab = (threads?: number) => {
  const made = createQuantLab(threads === undefined ? {} : { threads });
  labs.push(made);
  return made;
};
afterAll(async () => {
  await Promise.all(labs.map((made) => made.dispose()));
});

const fashionCnn = {
  manifest: readRepoFile("models/fashion-cnn/manifest.json"),
  weights: readRepoFile("models/fashion-cnn/model.safetensors"),
};

// Logits of the first `count` test images, FP32 and an int8 and a w4a8 model, at `threads`.
// Batches of 250 are 7 groups of 32 images and one of 26 (nn::run_split): 2 threads take 4 + 4
// groups, 3 threads 3 + 3 + 2, each running the whole layer chain on its groups.
async function logitsAt(threads: number, count: number) {
  const engine = lab(threads);
  const info = await engine.info();
  const test = await datasetSplit("fashion-mnist", "test");
  const calibration = await datasetSplit("fashion-mnist", "calibration");
  const images = {
    images: test.images.subarray(0, count * test.rows * test.cols),
    rows: test.rows,
    cols: test.cols,
  };
  const model = await engine.loadModel(fashionCnn);
  const outputs = [
    (await engine.logits(model, images, { batchSize: 250 })).logits,
  ];
  for (const plan of ["int8", "w4a8"] as const) {
    const quantized = await engine.quantizeModel(model, calibration, {
      plan,
      calibration: { samples: 256 },
    });
    outputs.push(
      (await engine.logits(quantized, images, { batchSize: 250 })).logits,
    );
  }
  return { info, outputs };
}

describe("threads", () => {
  it("gives the same logits at 1, 2 and 3 threads (FP32, int8, w4a8 fashion-cnn)", async () => {
    const one = await logitsAt(1, 1000);
    expect(one.info).toMatchObject({ threads: 1, build: "single" });
    for (const threads of [2, 3]) {
      const many = await logitsAt(threads, 1000);
      expect(many.info).toMatchObject({ threads, build: "threads" });
      many.outputs.forEach((logits, i) =>
        expect(
          Buffer.compare(
            Buffer.from(logits.buffer, logits.byteOffset, logits.byteLength),
            Buffer.from(
              one.outputs[i]!.buffer,
              one.outputs[i]!.byteOffset,
              one.outputs[i]!.byteLength,
            ),
          ),
        ).toBe(0),
      );
    }
  }, 600_000);

  it("defaults to the cores available and says so", async () => {
    const { availableParallelism } = await import("node:os");
    const cores = availableParallelism();
    const info = await lab().info();
    expect(info.threads).toBe(cores);
    expect(info.build).toBe(cores > 1 ? "threads" : "single");
    expect(info.note).toMatch(cores > 1 ? /the cores available/ : /one core/);
  });

  it("rejects a thread count that is not a whole number from 1", async () => {
    for (const threads of [0, 1.5, -2]) {
      const error = await lab(threads)
        .info()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QuantLabError);
      expect((error as QuantLabError).code).toBe("InvalidArgument");
      expect((error as QuantLabError).message).toMatch(
        /threads must be a whole number/,
      );
    }
  });
});
