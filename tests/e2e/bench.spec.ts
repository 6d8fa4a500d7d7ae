// The bench page in Chromium: the benchmark runs in a Worker, fills the tables row by row with
// numbers from the engine and ONNX Runtime Web (loaded from the app's own files), Cancel stops
// it, and a finished run downloads as JSON. Never asserts on speed.
import { readFileSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import {
  FP32_LOGIT_TOLERANCE,
  INT8_LOGIT_TOLERANCE,
} from "../../web/app/src/bench/logit-agreement";
import type { ModelRow } from "../../web/app/src/bench/model-rows";
import { SCREENSHOTS } from "./lab-helpers";

/** Errors the page throws and files it fails to get, collected as they happen. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.on(
    "response",
    (response) =>
      response.status() >= 400 &&
      problems.push(`${response.status()} ${response.url()}`),
  );
  return problems;
}

test("runs the roofline and the first case in a worker, then cancels", async ({
  page,
}) => {
  // Two waits of up to a minute each on a loaded machine: more than the default test time.
  test.setTimeout(180_000);
  const problems = watchProblems(page);
  // ONNX Runtime (a 14 MB download) only runs when the user opts in, and says so first.
  const ortRequests: string[] = [];
  page.on(
    "request",
    (r) => r.url().includes("ort-wasm") && ortRequests.push(r.url()),
  );
  await page.goto("/bench.html");
  const ort = page.getByLabel(/Also run ONNX Runtime Web/);
  await expect(ort).not.toBeChecked();
  await expect(page.locator("label", { has: ort })).toContainText("14 MB");
  expect(ortRequests).toEqual([]);
  await ort.check();
  await page.getByLabel("Quick run").check();
  await page.getByRole("button", { name: "Run benchmark" }).click();

  await expect(page.locator("#roofline-summary")).toContainText(
    /stream read [\d.]+ GB\/s/,
    { timeout: 60_000 },
  );
  const rows = page.locator("#results tbody tr");
  await expect(rows).toHaveCount(4, { timeout: 60_000 });
  await expect(rows.first()).toContainText("GEMV 1×1024×1024");
  // Chromium runs relaxed SIMD, and both engine builds install the relaxed kernels: the int8
  // rows are timed on both kernel sets (the runner throws if their outputs differ), the float
  // ones only on SIMD128.
  await expect(page.locator("#threads")).toContainText(/Threads: \d+/);
  await expect(page.locator("#simd-kernels")).toContainText(
    "This browser runs relaxed SIMD",
  );
  // Our time and ONNX Runtime's are numbers on every row of the first case.
  for (const row of await rows.all()) {
    const cells = await row.locator("td").allTextContents();
    expect(Number(cells[2])).toBeGreaterThanOrEqual(1); // threads
    expect(Number(cells[3])).toBeGreaterThan(0); // ms
    expect(Number(cells[10])).toBeGreaterThan(0); // ORT ms
    const relaxedKind = cells[1] === "INT8 dyn" || cells[1] === "W4A8 g32";
    expect(Number(cells[12]) > 0).toBe(relaxedKind); // relaxed ms
    expect(Number(cells[13]) > 0).toBe(relaxedKind); // SIMD128÷relaxed
  }
  const agreement = page.locator("#agreement li");
  await expect(agreement).toHaveCount(4);
  for (const line of await agreement.allTextContents()) {
    expect(line).toMatch(/✓$/);
  }
  await expect(page.locator("#roofline-chart")).toBeVisible();
  // The plain-language summary comes first, in words.
  await expect(page.locator("#summary li").first()).toContainText(
    /ran [\d.]+× (faster|slower) than FP32 on this device/,
  );

  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.locator("#status")).toContainText("Cancelled");
  await expect(
    page.getByRole("button", { name: "Run benchmark" }),
  ).toBeEnabled();
  expect(problems).toEqual([]);
});

test("times the whole-model rows against ONNX Runtime, fits at laptop and phone widths", async ({
  page,
}) => {
  // A quick run of both models with ONNX Runtime: seconds when quiet, more under load.
  test.setTimeout(240_000);
  const problems = watchProblems(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/bench.html");
  await page.getByLabel(/^Kernels/).uncheck();
  await page.getByLabel(/Also run ONNX Runtime Web/).check();
  await page.getByLabel("Quick run").check();
  await page.getByRole("button", { name: "Run benchmark" }).click();
  await expect(page.locator("#status")).toContainText("Done", {
    timeout: 200_000,
  });
  await expect(page.locator("#results tbody tr")).toHaveCount(0);

  // The caption names the threads every row ran on.
  await expect(page.locator("#model-threads")).toHaveText(/^\d+ threads?$/);
  const header = await page
    .locator("#model-results thead th")
    .allTextContents();
  const rows = await Promise.all(
    (await page.locator("#model-results tbody tr").all()).map((row) =>
      row.locator("td").allTextContents(),
    ),
  );
  expect(rows.map((r) => `${r[0]} ${r[1]}`)).toEqual([
    "fashion-cnn 1",
    "fashion-cnn 256",
    "fashion-mlp 1",
    "fashion-mlp 256",
  ]);
  // Every time and ratio is a finite positive number ("3.21 (1.52×)": the time, its speed-up).
  const timeColumns = header.filter((h) => / ms$| vs ORT/.test(h));
  expect(timeColumns).toEqual([
    "FP32 ms",
    "INT8 ms",
    "W4A8 ms",
    "ORT FP32 ms",
    "ORT int8 ms",
    "INT8 vs ORT FP32",
    "INT8 vs ORT int8",
    "FP32 vs ORT FP32",
  ]);
  for (const cells of rows)
    for (const column of timeColumns) {
      const value = parseFloat(cells[header.indexOf(column)]!);
      expect(value, `${cells[0]} ${cells[1]} ${column}`).toBeGreaterThan(0);
      expect(Number.isFinite(value)).toBe(true);
    }

  // The JSON download holds the same rows, and ONNX Runtime computed what we computed.
  const [file] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download results (JSON)" }).click(),
  ]);
  const report = JSON.parse(readFileSync(await file.path(), "utf8")) as {
    models: { rows: ModelRow[]; checks: { label: string }[] };
  };
  expect(report.models.rows).toHaveLength(4);
  for (const row of report.models.rows) {
    expect(row.ortDifference).toBeLessThanOrEqual(FP32_LOGIT_TOLERANCE);
    expect(row.ortInt8Difference).toBeLessThanOrEqual(
      INT8_LOGIT_TOLERANCE.difference,
    );
    expect(row.ortInt8Agreement).toBeGreaterThanOrEqual(
      INT8_LOGIT_TOLERANCE.agreement,
    );
  }
  expect(report.models.checks).toHaveLength(3);
  // The summary at the top says the batch-256 rows in words.
  await expect(page.locator("#summary li")).toHaveText([
    /^fashion-cnn, 256 images per call: our INT8 took [\d.]+ ms, [\d.]+× (faster|slower) than our FP32, /,
    /^fashion-mlp, 256 images per call: /,
  ]);
  const checks = page.locator("#model-checks li");
  await expect(checks).toHaveCount(4);
  await expect(checks.last()).toContainText(
    /^outputs against ONNX Runtime.*✓$/,
  );

  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width > 500 ? 900 : 844 });
    // The roofline chart's canvas follows the new width a frame later: poll.
    await expect
      .poll(() => page.evaluate(() => document.documentElement.scrollWidth), {
        message: `no horizontal page scroll at ${width} px`,
      })
      .toBeLessThanOrEqual(width);
    // With the rows on screen, as every-view.spec.ts holds every view without them.
    const { violations } = await new AxeBuilder({ page }).analyze();
    expect(
      violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => v.id),
    ).toEqual([]);
    await page.screenshot({
      path: `${SCREENSHOTS}/kernels-models-${width}.png`,
      fullPage: true,
    });
  }
  expect(problems).toEqual([]);
});
