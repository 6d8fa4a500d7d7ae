// Model and dataset files through the library against the real engine: shipped models load and
// reproduce their recorded accuracy, save → load is byte-exact, and damaged files fail with the
// engine's message as an InvalidModel QuantLabError.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { main } from "../../web/lib/src/cli";
import { loadModel, parseIdxDataset } from "../../web/lib/src/models/model";

const root = new URL("../../", import.meta.url);
const read = (path: string) =>
  new Uint8Array(readFileSync(new URL(path, root)));
const mnistTest = (kind: "images-idx3" | "labels-idx1") =>
  read(`web/app/public/data/mnist/test-${kind}-ubyte.gz`);
const modelFiles = (name: string) => ({
  manifest: read(`models/${name}/manifest.json`),
  weights: read(`models/${name}/model.safetensors`),
});
const shippedModels = [
  "mnist-mlp",
  "mnist-cnn",
  "fashion-mlp",
  "fashion-cnn",
].filter((name) =>
  existsSync(new URL(`models/${name}/model.safetensors`, root)),
);

describe("datasets", () => {
  it("parses the gzipped MNIST test split", async () => {
    const test = await parseIdxDataset(
      mnistTest("images-idx3"),
      mnistTest("labels-idx1"),
    );
    expect([test.count, test.rows, test.cols]).toEqual([2000, 28, 28]);
    expect(test.images.length).toBe(2000 * 784);
    expect(Math.max(...test.labels)).toBe(9);
  });

  it("rejects damaged files with the engine's message", async () => {
    const images = mnistTest("images-idx3");
    const labels = read("build/data/mnist/test-labels-idx1-ubyte");
    await expect(
      parseIdxDataset(images, labels.subarray(0, labels.length - 1)),
    ).rejects.toThrow(
      "labels file says 2000 items but holds 1999 bytes of data",
    );
    await expect(parseIdxDataset(labels, labels)).rejects.toMatchObject({
      name: "InvalidArgument",
      message: expect.stringContaining(
        "images file has IDX magic 0x00000801, expected 0x00000803",
      ),
    });
    const otherCount = gzipSync(labels.subarray(0, 8 + 1000));
    otherCount.writeUInt32BE(1000, 4);
    await expect(
      parseIdxDataset(images, gzipSync(Buffer.from(otherCount))),
    ).rejects.toThrow();
    await expect(
      parseIdxDataset(images.subarray(0, 5000), labels),
    ).rejects.toThrow("gzip data is damaged or truncated");
  });
});

describe("models", () => {
  it("ships at least one model", () =>
    expect(shippedModels.length).toBeGreaterThan(0));

  it.each(shippedModels)(
    "%s reproduces its recorded accuracy and saves byte-exact",
    async (name) => {
      const files = modelFiles(name);
      const model = await loadModel(files);
      try {
        const data = `web/app/public/data/${model.manifest.dataset}/test`;
        const test = await parseIdxDataset(
          read(`${data}-images-idx3-ubyte.gz`),
          read(`${data}-labels-idx1-ubyte.gz`),
        );
        const result = model.evaluate(test.images, test.labels);
        expect(result.correct).toBe(model.manifest.metrics.test_correct);
        expect(result.count).toBe(model.manifest.metrics.test_count);
        const predicted = model.classify(test.images.subarray(0, 10 * 784));
        expect(predicted.length).toBe(10);
        const saved = model.files();
        expect(saved.manifestJson).toBe(
          new TextDecoder().decode(files.manifest),
        );
        expect(Buffer.compare(saved.weights, files.weights)).toBe(0);
      } finally {
        model.dispose();
      }
    },
  );

  it("rejects damaged or mismatched model files as InvalidModel with the engine's message", async () => {
    const { manifest, weights } = modelFiles(shippedModels[0]!);
    await expect(
      loadModel({ manifest, weights: weights.subarray(0, 100) }),
    ).rejects.toMatchObject({
      code: "InvalidModel",
      message: expect.stringContaining(
        "model.safetensors: safetensors header length says",
      ),
    });
    const text = new TextDecoder().decode(manifest);
    const edited = JSON.parse(text);
    edited.architecture.layers[0].out_features += 1;
    await expect(
      loadModel({ manifest: JSON.stringify(edited), weights }),
    ).rejects.toThrow(/manifest\.json architecture/);
    await expect(
      loadModel({ manifest: text.slice(0, 40), weights }),
    ).rejects.toThrow("manifest.json is not valid JSON");
    const flipped = weights.slice();
    flipped[20] = flipped[20]! ^ 0xff;
    await expect(loadModel({ manifest, weights: flipped })).rejects.toThrow(
      "model.safetensors: ",
    );
  });

  it("checks image rows and columns against the model input when given", async () => {
    const cnn = await loadModel(modelFiles("mnist-cnn"));
    const test = await parseIdxDataset(
      mnistTest("images-idx3"),
      mnistTest("labels-idx1"),
    );
    const flat = cnn.evaluate(test.images, test.labels);
    expect(cnn.evaluate(test)).toEqual(flat);
    expect(cnn.classify(test)).toEqual(cnn.classify(test.images));
    // The same 784 pixels per image, declared 14×56: flattened they would pass.
    const wide = { ...test, rows: 14, cols: 56 };
    expect(() => cnn.evaluate(wide)).toThrow(
      "images of 14x56 pixels do not fit the model input [1, 28, 28]",
    );
    expect(() => cnn.classify(wide)).toThrow(/14x56/);
    expect(() => cnn.evaluate({ ...test, cols: undefined })).toThrow(
      "images need both rows and cols, or neither",
    );
    expect(() =>
      cnn.classify({ images: test.images, rows: 28, cols: -1 }),
    ).toThrow("cols must be a non-negative integer, got -1");
    cnn.dispose();
  });

  it("checks image rows and columns against the image_shape of a flat model input", async () => {
    const mlp = await loadModel(modelFiles("mnist-mlp"));
    expect(mlp.manifest.input).toMatchObject({
      shape: [784],
      image_shape: [28, 28],
    });
    const test = await parseIdxDataset(
      mnistTest("images-idx3"),
      mnistTest("labels-idx1"),
    );
    expect(mlp.evaluate(test)).toEqual(mlp.evaluate(test.images, test.labels));
    const wide = { ...test, rows: 14, cols: 56 };
    expect(() => mlp.evaluate(wide)).toThrow(
      "images of 14x56 pixels do not fit the model input [784] of 28x28 images",
    );
    expect(() => mlp.classify(wide)).toThrow(/14x56 pixels/);
    mlp.dispose();
  });

  it("names rows × cols beyond the element limit, where 32 bits would wrap", async () => {
    const mlp = await loadModel(modelFiles("mnist-mlp"));
    const images = new Uint8Array(784);
    // 70,000² and (2^32 + 28) × 28 wrap in the engine's 32-bit size_t to plausible counts.
    expect(() => mlp.classify({ images, rows: 70_000, cols: 70_000 })).toThrow(
      "images' {rows, cols} [70000, 70000] exceeds the limit of 268435456 elements",
    );
    expect(() =>
      mlp.classify({ images, rows: 2 ** 32 + 28, cols: 28 }),
    ).toThrow(
      "images' {rows, cols} [4294967324, 28] exceeds the limit of 268435456 elements",
    );
    expect(mlp.classify({ images, rows: 28, cols: 28 })).toHaveLength(1);
    mlp.dispose();
  });

  it("refuses a disposed model", async () => {
    const model = await loadModel(modelFiles(shippedModels[0]!));
    model.dispose();
    expect(() => model.classify(new Uint8Array(784))).toThrow(
      "this model was disposed",
    );
  });
});

describe("quantlab eval (npm CLI)", () => {
  const run = async (args: string[]) => {
    const out: string[] = [];
    const code = await main(
      args,
      (line) => out.push(line),
      (line) => out.push(line),
    );
    return { code, out: out.join("\n") };
  };

  it.each(shippedModels)("prints the recorded accuracy of %s", async (name) => {
    const { code, out } = await run(["eval", `models/${name}`]);
    const manifest = JSON.parse(
      readFileSync(new URL(`models/${name}/manifest.json`, root), "utf8"),
    );
    const percent = `${(100 * manifest.metrics.test_accuracy).toFixed(2)}%`;
    expect(out).toContain(`${name}: test accuracy ${percent}`);
    expect(out).toContain("reproduced");
    expect(out).not.toContain("NOT reproduced");
    expect(code).toBe(0);
  });

  it("takes --threads: 2 threads reproduce the recorded accuracy, 0 is refused", async () => {
    const two = await run(["eval", "models/fashion-mlp", "--threads", "2"]);
    expect(two.out).toContain("reproduced");
    expect(two.out).not.toContain("NOT reproduced");
    expect(two.code).toBe(0);
    const zero = await run(["eval", "models/fashion-mlp", "--threads", "0"]);
    expect(zero.code).toBe(1);
    expect(zero.out).toMatch(
      /--threads must be a whole number from 1, got '0'/,
    );
  });

  it("reports errors and usage", async () => {
    expect(await run([])).toMatchObject({
      code: 2,
      out: expect.stringContaining("usage"),
    });
    expect(await run(["--help"])).toMatchObject({
      code: 0,
      out: expect.stringContaining("quantlab eval <model dir>"),
    });
    expect(await run(["eval", "models/mnist-mlp", "--data"])).toMatchObject({
      code: 1,
      out: expect.stringContaining("option --data needs a value"),
    });
    expect(
      await run(["eval", "models/mnist-mlp", "--date", "x"]),
    ).toMatchObject({
      code: 1,
      out: expect.stringContaining("unknown option --date"),
    });
    expect(await run(["eval", "models/none"])).toMatchObject({
      code: 1,
      out: expect.stringContaining("quantlab eval: error: models/none: ENOENT"),
    });
  });

  it("runs as the package bin under node", () => {
    const bin = JSON.parse(readFileSync(new URL("package.json", root), "utf8"))
      .bin.quantlab;
    const out = execFileSync(
      "node",
      [bin, "eval", `models/${shippedModels[0]}`],
      {
        cwd: new URL(".", root),
        encoding: "utf8",
      },
    );
    expect(out).toMatch(/test accuracy .* reproduced/s);
  });
});
