// (c) A fresh Vite app that depends only on the installed tarball and has no Vite config at all
// (the README's "Bundlers": none needed): built with `vite build` and served by `vite preview`,
// and served by `vite dev`; Debian's Chromium (driven by Playwright, never a downloaded browser) opens it,
// the engine loads in a module Worker, and the page shows a model's accuracy, its
// classification of the first images and an INT4 round trip.
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "@playwright/test";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { chromiumLaunchOptions } from "../e2e/chromium";
import { makeProject, repoBin, run } from "./project";
import { freePort } from "../e2e/free-port";

const INDEX_HTML = `<!doctype html>
<html><body><p id="result">loading</p><script type="module" src="/main.js"></script></body></html>
`;

const MAIN_JS = `import { createQuantLab } from "quantlab";

const fetchBytes = async (path) => new Uint8Array(await (await fetch(path)).arrayBuffer());
const result = document.getElementById("result");
try {
  const lab = createQuantLab();
  const model = await lab.loadModel({
    manifest: await fetchBytes("model/manifest.json"),
    weights: await fetchBytes("model/model.safetensors"),
  });
  const test = await lab.parseIdxDataset(
    await fetchBytes("data/test-images-idx3-ubyte.gz"),
    await fetchBytes("data/test-labels-idx1-ubyte.gz"),
  );
  const { accuracy } = await lab.evaluate(model, test);
  const first = await lab.classify(model, {
    images: test.images.subarray(0, 5 * 784), rows: 28, cols: 28,
  });
  const weights = Float32Array.from({ length: 64 * 256 }, (_, i) => Math.sin(i));
  const r = await lab.roundTrip(weights, [64, 256], { bits: 4, granularity: "per_group", groupSize: 32 });
  result.textContent = [
    model.manifest.name + " " + (100 * accuracy).toFixed(2) + "%",
    "classes " + Array.from(first).join(","),
    "labels " + Array.from(test.labels.subarray(0, 5)).join(","),
    "int4 " + r.storage.bitsPerWeight + " bits",
  ].join("; ");
} catch (error) {
  result.textContent = "failed: " + error.code + ": " + error.message;
}
`;

/** Starts `vite <args>` in `dir` on a free port; resolves once it answers. */
async function serve(
  dir: string,
  args: string[],
): Promise<{ url: string; server: ChildProcess }> {
  const port = await freePort();
  const server = spawn(
    repoBin("vite"),
    [...args, "--host", "127.0.0.1", "--port", String(port), "--strictPort"],
    { cwd: dir, stdio: "ignore" },
  );
  const url = `http://127.0.0.1:${port}/`;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      if ((await fetch(url)).ok) return { url, server };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  server.kill();
  throw new Error(`vite ${args.join(" ")} did not start`);
}

let dir: string;
let browser: Browser;
beforeAll(async () => {
  dir = makeProject(inject("workspace"), "vite-app", inject("tarball"), {
    "index.html": INDEX_HTML,
    "main.js": MAIN_JS,
  });
  // The app ships its own model and data, copied from the installed package.
  const shipped = join(dir, "node_modules", "quantlab");
  for (const [from, to] of [
    ["models/mnist-cnn/manifest.json", "public/model/manifest.json"],
    ["models/mnist-cnn/model.safetensors", "public/model/model.safetensors"],
    [
      "web/app/public/data/mnist/test-images-idx3-ubyte.gz",
      "public/data/test-images-idx3-ubyte.gz",
    ],
    [
      "web/app/public/data/mnist/test-labels-idx1-ubyte.gz",
      "public/data/test-labels-idx1-ubyte.gz",
    ],
  ] as const) {
    mkdirSync(join(dir, to, ".."), { recursive: true });
    copyFileSync(join(shipped, from), join(dir, to));
  }
  run(repoBin("vite"), ["build", "--logLevel", "warn"], dir);
  browser = await chromium.launch(chromiumLaunchOptions);
});
afterAll(async () => {
  await browser?.close();
});

describe.each([
  ["vite preview (the built app)", ["preview"]],
  ["vite dev", []],
])("a Vite app under %s", (_, args) => {
  it("loads the engine in a worker and shows the model's accuracy and classes", async () => {
    const { url, server } = await serve(dir, args);
    try {
      const page = await browser.newPage();
      const wasmTypes: string[] = [];
      const workers: string[] = [];
      page.on("worker", (worker) => workers.push(worker.url()));
      page.on("response", (response) => {
        if (response.url().endsWith(".wasm"))
          wasmTypes.push(response.headers()["content-type"] ?? "");
      });
      await page.goto(url);
      const result = page.locator("#result");
      await result
        .filter({ hasNotText: "loading" })
        .waitFor({ timeout: 60_000 });
      const text = await result.textContent();
      expect(text).toContain("mnist-cnn 98.30%");
      // These five are among the 98.3% it gets right.
      const classes = /classes ([\d,]+)/.exec(text ?? "")?.[1];
      expect(classes).toMatch(/^\d(,\d){4}$/);
      expect(text).toContain(`labels ${classes}`);
      expect(text).toContain("int4 5 bits");
      expect(workers).toHaveLength(1);
      // The engine's .wasm came as application/wasm (compiled while streaming), and so did the
      // relaxed-SIMD kernels module, which Chromium runs.
      expect(wasmTypes).toEqual(["application/wasm", "application/wasm"]);
      await page.close();
    } finally {
      server.kill();
    }
  });
});
