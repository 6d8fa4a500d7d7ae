// QAT in Chromium: a run starts, shows progress and the live charts, and cancels; a short run
// completes with FP32, PTQ and QAT measured on the test set; the main thread is never blocked
// for 100 ms; the QAT model opens in Compare.
import { expect, test } from "@playwright/test";
import { open, settled } from "./lab-helpers";
import { describeTasks, traceMainThread } from "./main-thread";

// A row's accuracy (%), checked to lie inside the 95% interval printed under it.
async function accuracyOf(row: import("@playwright/test").Locator) {
  const text = await row.locator("td").nth(2).innerText();
  const shown = /^([\d.]+)%\s+([\d.]+)%–([\d.]+)%$/.exec(text.trim());
  expect(shown, `accuracy and its interval in "${text}"`).not.toBeNull();
  const [accuracy, low, high] = shown!.slice(1).map(Number) as [
    number,
    number,
    number,
  ];
  expect(low).toBeLessThan(accuracy);
  expect(high).toBeGreaterThan(accuracy);
  expect(high - low).toBeLessThan(2); // 10,000 images: about ±0.5 points
  return accuracy;
}

test("QAT starts, shows progress, cancels; a short run compares PTQ and QAT", async ({
  browser,
  page,
}) => {
  test.setTimeout(300_000);
  const problems = await open(page, "/qat.html?model=fashion-cnn");
  await settled(page);
  await expect(page.locator("#plan")).toHaveValue("w4a8");
  // From here on every task counts: the runs, their charts and tables.
  const tasks = await traceMainThread(browser, page, async () => {
    // A long run (every shipped training image) shows batches going by, then cancels.
    await page.locator("#examples").selectOption("0");
    await page.getByRole("button", { name: "Fine-tune and compare" }).click();
    await expect(page.locator(".status")).toContainText("Fine-tuning: batch", {
      timeout: 120_000,
    });
    await expect(page.locator("progress")).toBeVisible();
    await expect(page.locator("#curve-chart")).toBeVisible();
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect(page.locator(".status")).toHaveText(
      "Cancelled. Nothing was changed.",
    );
    await expect(page.locator("body")).toHaveAttribute("data-state", "ready");
    await expect(page.locator("#result tbody tr")).toHaveCount(0);

    // A short run with LSQ completes: FP32, PTQ and QAT on all 10,000 test images.
    await page.locator("#examples").selectOption("640");
    await page.locator("#lsq").check();
    await page.getByRole("button", { name: "Fine-tune and compare" }).click();
    const rows = page.locator("#result tbody tr");
    await expect(rows).toHaveCount(3, { timeout: 240_000 });
    await settled(page);
    await expect(rows.nth(0)).toContainText("FP32");
    await expect(rows.nth(1)).toContainText("w4a8 PTQ");
    await expect(rows.nth(2)).toContainText("w4a8 QAT");
    await expect(page.locator("#table-caption")).toContainText(
      "10,000 test images",
    );
    await expect(page.locator(".status")).toContainText(
      "Fine-tuned on 640 training images",
    );
    // Real accuracies: fashion-cnn is about 92% in FP32 and W4A8 stays within a point or two.
    const [fp32, ptq, qat] = await Promise.all(
      [0, 1, 2].map((i) => accuracyOf(rows.nth(i))),
    );
    expect(fp32).toBeGreaterThan(90);
    expect(Math.abs(ptq! - fp32!)).toBeLessThan(3);
    expect(Math.abs(qat! - fp32!)).toBeLessThan(3);
    // The worker draws each chart on a bitmap of its box's shape: text is not stretched.
    for (const id of ["curve-chart", "scale-chart"])
      await expect
        .poll(() =>
          page.locator(`#${id}`).evaluate((canvas: HTMLCanvasElement) => {
            const bitmap = canvas.width / canvas.height;
            return Math.abs(
              bitmap / (canvas.clientWidth / canvas.clientHeight) - 1,
            );
          }),
        )
        .toBeLessThan(0.02);
    // LSQ trained the scales: the status names the one that moved most, and by how much.
    const moved = /by ([+−])(\d+(?:\.\d+)?(?:e[+-]\d+)?)%/.exec(
      await page.locator(".status").innerText(),
    );
    expect(moved, "the status says how far a scale moved").not.toBeNull();
    expect(Number(moved![2])).toBeGreaterThan(0);
  });
  console.log(describeTasks("QAT", tasks));
  expect(Math.max(0, ...tasks.cpu)).toBeLessThanOrEqual(100);

  // The QAT model goes to Compare, which loads it as a quantized model file.
  await page.getByRole("button", { name: "Open in Compare" }).click();
  await expect(page).toHaveURL(/index\.html.*from=handoff/);
  await expect(page.locator("#model-summary")).toContainText(
    "A quantized model",
  );
  expect(problems).toEqual([]);
});
