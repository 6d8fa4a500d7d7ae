// Compare, the landing view, in Chromium: the numbers equal the library's own report, the main
// thread stays responsive, Cancel works, a corrupt upload is explained, flips are browsable,
// and the URL restores the configuration.
import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import {
  firstVisit,
  FIRST_VISIT_BUDGET,
  libraryReport,
  open,
  SCREENSHOTS,
  settled,
  runCompare,
} from "./lab-helpers";
import { describeTasks, traceMainThread } from "./main-thread";

test("Compare's numbers equal the library's report for the same model and plans", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const problems = await open(
    page,
    "/index.html?model=mnist-mlp&calib=percentile",
  );
  await settled(page);
  await expect(page.locator("#model")).toHaveValue("mnist-mlp");
  await expect(page.locator("#calib")).toHaveValue("percentile");
  await runCompare(page, "0", 120_000);
  await settled(page);

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "JSON", exact: true }).click();
  const shown = JSON.parse(
    await readFile(await (await download).path(), "utf8"),
  );
  const expected = await libraryReport("mnist-mlp", "mnist", {
    plans: ["int8", "int8-dynamic", "int4-g32", "int4-tensor", "w4a8"],
    speedRounds: 0,
    calibration: { method: "percentile", samples: 512 },
  });
  // Everything but where and when it ran is the same number for number.
  for (const key of ["machine", "command", "created"])
    (delete shown[key],
      delete (expected as unknown as Record<string, unknown>)[key]);
  expect(shown).toEqual(expected);

  // The table shows those numbers.
  const int8 = expected.plans[0]!;
  const int8Row = page
    .locator("#seed tbody tr", { hasText: /^int8\b/ })
    .first();
  await expect(int8Row).toContainText(`${(100 * int8.accuracy).toFixed(2)}%`);
  await expect(int8Row).toContainText(`${int8.flips} flips`);
  await expect(page.locator("#seed tbody tr").first()).toContainText(
    `${(100 * expected.fp32.accuracy).toFixed(2)}%`,
  );

  // The flips of int8, browsable, as many as the report counted.
  await page.locator("#flip-plan").selectOption({ index: 0 });
  await page.getByRole("button", { name: "Show the flips" }).click();
  await expect(page.locator("#flip-summary")).toContainText(
    `${int8.flips} of 2,000 test images flip under int8 (the report counted ${int8.flips})`,
  );
  await expect(page.locator("#flips li.flip")).toHaveCount(
    Math.min(24, int8.flips),
  );
  await expect(
    page.locator("#flips li.flip").first().locator(".guesses"),
  ).toHaveCount(2);
  expect(problems).toEqual([]);
});

test("Compare on fashion-cnn keeps the main thread free, shows progress and cancels", async ({
  browser,
  page,
}) => {
  test.setTimeout(240_000);
  // The first visit on the isolated preview: the threaded engine (threads.spec.ts measures
  // the one-thread build a page without COOP/COEP gets).
  const { files, bytes } = await firstVisit(page, "/index.html");
  expect(files.some(([url]) => url.includes("quantlab-engine-threads"))).toBe(
    true,
  );
  expect(files.some(([url]) => url.endsWith(".planes"))).toBe(true);
  expect(files.some(([url]) => url.endsWith(".gz"))).toBe(false);
  expect(bytes).toBeLessThanOrEqual(FIRST_VISIT_BUDGET);

  // Cancel a run, then run again to the end.
  await page.getByRole("button", { name: "Run the comparison" }).click();
  await expect(page.locator("#job progress")).toBeVisible();
  await expect(page.locator("#job .status")).toContainText(
    /test|Downloading|calibration|int8/,
    { timeout: 30_000 },
  );
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.locator("#job .status")).toHaveText(
    "Cancelled. Nothing was changed.",
  );
  await expect(page.locator("#seed tbody tr")).toHaveCount(0);

  await page.locator("#rounds").selectOption("1");
  const tasks = await traceMainThread(browser, page, async () => {
    await page.getByRole("button", { name: "Run the comparison" }).click();
    await expect(page.locator("#seed tbody tr")).toHaveCount(6, {
      timeout: 180_000,
    });
    await settled(page);
  });
  const seconds = await page
    .locator("body")
    .getAttribute("data-report-seconds");
  // The isolated preview runs the engine with a thread per core, and the caption says so.
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const threads = cores > 1 ? `${cores} threads` : "one thread";
  await expect(page.locator("#table-caption")).toContainText(
    `one round (the CLI's default is the median of 5; pick 3 or 5 rounds above for steadier figures), ${threads}, WebAssembly SIMD128`,
  );
  console.log(
    `Compare on fashion-cnn (FP32 + 5 presets, 10,000 images, 1 speed round, ${threads}): ${seconds} s`,
  );
  console.log(
    `by stage (s): ${await page.locator("body").getAttribute("data-report-stages")}`,
  );
  console.log(describeTasks("Compare", tasks));
  expect(Math.max(0, ...tasks.cpu)).toBeLessThanOrEqual(100);
  await expect(page.locator("#accuracy-chart")).toBeVisible();
  await expect(page.locator("#job .status")).not.toHaveClass(/failed/);
  await expect(page.locator("#job .status")).toContainText("FP32 and 5 plans");
});

test("a corrupt model upload is explained in plain words and the app stays usable", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await open(page, "/index.html?model=mnist-mlp");
  await settled(page);
  const manifest = await readFile("models/mnist-mlp/manifest.json");
  await page.locator("#upload").setInputFiles([
    { name: "manifest.json", mimeType: "application/json", buffer: manifest },
    {
      name: "model.safetensors",
      mimeType: "application/octet-stream",
      buffer: Buffer.from("this is not a safetensors file at all"),
    },
  ]);
  const error = page.locator("#model-error");
  await expect(error).toBeVisible();
  await expect(error).toContainText("This is not a model QuantLab can read");
  await expect(error).toContainText("mnist-mlp is still selected");
  await page.screenshot({
    path: `${SCREENSHOTS}/compare-corrupt-upload-1280.png`,
  });
  await runCompare(page, "0", 100_000);
});

test("the URL holds the session: views share it and a link restores it", async ({
  page,
}) => {
  await open(page, "/index.html");
  await settled(page);
  await page.locator("#model").selectOption("mnist-cnn");
  await page.locator("#plan").selectOption("int4-g32");
  await page.locator("#calib").selectOption("entropy");
  await expect(page).toHaveURL(/model=mnist-cnn/);
  const url = page.url();
  expect(url).toContain("plan=int4-g32");
  expect(url).toContain("calib=entropy");
  // The nav carries it to another view...
  await page.getByRole("link", { name: "Try it" }).click();
  await expect(page).toHaveURL(/try\.html\?.*model=mnist-cnn/);
  await expect(page.locator("#model")).toHaveValue("mnist-cnn");
  // ...and the link alone restores it in a fresh page.
  const fresh = await page.context().newPage();
  await fresh.goto(url);
  await expect(fresh.locator("#model")).toHaveValue("mnist-cnn");
  await expect(fresh.locator("#plan")).toHaveValue("int4-g32");
  await expect(fresh.locator("#calib")).toHaveValue("entropy");
});

test("an unknown page is a real 404", async ({ page }) => {
  const response = await page.goto("/no-such-view.html");
  expect(response?.status()).toBe(404);
  const nested = await page.goto("/views/compare");
  expect(nested?.status()).toBe(404);
});

test("the exported quantized model file loads back and is evaluated", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const problems = await open(
    page,
    "/index.html?model=mnist-mlp&plan=int4-g32",
  );
  await settled(page);
  await runCompare(page, "0", 120_000);
  const int4 = page.locator("#seed tbody tr", { hasText: /^int4-g32/ });
  const accuracy = (await int4.locator("td").nth(2).textContent())!.match(
    /[\d.]+%/,
  )![0];

  const files: { name: string; buffer: Buffer }[] = [];
  page.on("download", async (d) =>
    files.push({
      name: d.suggestedFilename(),
      buffer: await readFile(await d.path()),
    }),
  );
  await page
    .getByRole("button", { name: "Quantized model file", exact: true })
    .click();
  await expect.poll(() => files.length).toBe(2);
  expect(files.map((f) => f.name).sort()).toEqual([
    "mnist-mlp-int4-g32.manifest.json",
    "mnist-mlp-int4-g32.safetensors",
  ]);

  await page
    .locator("#upload")
    .setInputFiles(
      files.map((f) => ({ ...f, mimeType: "application/octet-stream" })),
    );
  await expect(page.locator("#model-summary")).toContainText(
    "A quantized model",
  );
  await page.getByRole("button", { name: "Run the comparison" }).click();
  await expect(page.locator("#table-caption")).toContainText(
    "Your quantized model",
    { timeout: 60_000 },
  );
  const row = page.locator("#seed tbody tr");
  await expect(row).toHaveCount(1);
  // The same plan on the same test images: the same accuracy as in the report.
  await expect(row).toContainText(accuracy);
  expect(problems).toEqual([]);
});

test("an impossible plan in the URL is explained in plain words and the app stays usable", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const plan = {
    name: "g36",
    default: { weights: "int4", granularity: "per_group", group_size: 36 },
  };
  await open(
    page,
    `/index.html?model=mnist-cnn&plan=${encodeURIComponent(JSON.stringify(plan))}`,
  );
  await settled(page);
  await expect(page.locator("#plan")).toHaveValue("session");
  await page.locator("#rounds").selectOption("0");
  await page.getByRole("button", { name: "Run the comparison" }).click();
  const status = page.locator("#job .status");
  await expect(status).toHaveClass(/failed/, { timeout: 60_000 });
  await expect(status).toContainText("This plan cannot run on this model");
  await expect(status).toContainText("group size 36");
  // Choosing a preset instead works.
  await page.locator("#plan").selectOption("int8");
  await runCompare(page, "0");
  await expect(status).not.toHaveClass(/failed/);
});
