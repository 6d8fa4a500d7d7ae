// Shared steps of the lab's browser tests: open a view and collect its problems, wait for the
// page to settle, and the library's own report in Node for the same inputs.
import { readFile } from "node:fs/promises";
import { expect, type Page } from "@playwright/test";

export const SCREENSHOTS = "tests/e2e/screenshots";

/** Opens a page and returns the list its errors (page errors, console errors, HTTP ≥ 400) fill. */
export async function open(page: Page, path: string): Promise<string[]> {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on(
    "response",
    (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`),
  );
  await page.goto(path);
  return problems;
}

/** The issue's budget for the app, the engine and the default model before the first Compare. */
export const FIRST_VISIT_BUDGET = 1_048_576;

/**
 * Opens Compare at `url` and returns what came over the wire (the page's and its workers'
 * requests, compressed bytes with headers) until the default model is loaded, printed per file.
 */
export async function firstVisit(
  page: Page,
  url: string,
): Promise<{ files: [string, number][]; bytes: number }> {
  const wire: Promise<[string, number]>[] = [];
  page.on("requestfinished", (request) =>
    wire.push(
      request
        .sizes()
        .then((s) => [
          request.url(),
          s.responseBodySize + s.responseHeadersSize,
        ]),
    ),
  );
  await open(page, url);
  await settled(page);
  await expect(page.locator("#model")).toHaveValue("fashion-cnn");
  await expect(page.locator("#model-summary")).toContainText("fashion-cnn");
  const files = await Promise.all(wire);
  const bytes = files.reduce((sum, [, size]) => sum + size, 0);
  const isolated = await page.evaluate(() => crossOriginIsolated);
  console.log(
    `transfer before the first Compare (${isolated ? "cross-origin isolated" : "not isolated"}): ${bytes} bytes (${(bytes / 1024).toFixed(0)} KiB) in ${files.length} files: ${files.map(([file, size]) => `${file.split("/").pop()} ${size}`).join(", ")}`,
  );
  return { files, bytes };
}

export async function settled(page: Page, timeout = 60_000): Promise<void> {
  await expect(page.locator("body")).toHaveAttribute(
    "data-state",
    /ready|error/,
    { timeout },
  );
}

/** The library's report in Node (worker_threads), for the same model, data and options. */
export async function libraryReport(
  model: string,
  dataset: string,
  options: object,
) {
  const { createQuantLab } = await import("quantlab");
  const root = new URL("../../", import.meta.url);
  const read = (path: string) => readFile(new URL(path, root));
  const lab = createQuantLab();
  try {
    const handle = await lab.loadModel({
      manifest: await read(`models/${model}/manifest.json`),
      weights: await read(`models/${model}/model.safetensors`),
    });
    const data = (split: string) =>
      Promise.all([
        read(`web/app/public/data/${dataset}/${split}-images-idx3-ubyte.gz`),
        read(`web/app/public/data/${dataset}/${split}-labels-idx1-ubyte.gz`),
      ]).then(([images, labels]) => lab.parseIdxDataset(images, labels));
    return await lab.report(
      handle,
      await data("test"),
      await data("calibration"),
      options,
    );
  } finally {
    await lab.dispose();
  }
}

/** Runs Compare with `rounds` speed rounds and waits for its six rows (FP32 + five presets). */
export async function runCompare(
  page: Page,
  rounds: "0" | "1",
  timeout = 120_000,
): Promise<void> {
  await page.locator("#rounds").selectOption(rounds);
  await page.getByRole("button", { name: "Run the comparison" }).click();
  await expect(page.locator("#seed tbody tr")).toHaveCount(6, { timeout });
}
