// The model views in Chromium: drawing gives every precision's prediction, one layer's
// precision changes the plan's totals, and calibration observers choose different ranges on
// the outlier example.
import { expect, test } from "@playwright/test";
import { open, SCREENSHOTS, settled } from "./lab-helpers";

test("a drawn digit gets predictions from every precision", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const problems = await open(page, "/try.html?model=mnist-cnn");
  await settled(page);
  const pad = page.locator("#pad");
  const box = (await pad.boundingBox())!;
  // A "7": a bar across the top and a stroke down to the bottom left.
  await page.mouse.move(box.x + 70, box.y + 60);
  await page.mouse.down();
  for (const [x, y] of [
    [140, 60],
    [210, 60],
    [180, 140],
    [150, 220],
  ] as const)
    await page.mouse.move(box.x + x, box.y + y, { steps: 8 });
  await page.mouse.up();
  const table = page.locator("#probs");
  await expect(table.locator("thead th")).toHaveCount(7, { timeout: 60_000 });
  await expect(table.locator("tbody tr")).toHaveCount(11); // 10 classes + engine time
  // Centred and scaled like an MNIST digit, the drawing reads as a 7.
  await expect(page.locator("#verdict")).toContainText("FP32 says 7");
  await page.screenshot({ path: `${SCREENSHOTS}/try-drawn-7-1360.png` });
  for (const name of [
    "FP32",
    "int8",
    "int8-dynamic",
    "int4-g32",
    "int4-tensor",
    "w4a8",
  ])
    await expect(table.locator("thead")).toContainText(name);
  await expect(table.locator("tbody tr").last()).toContainText("ms");
  expect(problems).toEqual([]);
});

test("changing one layer's precision changes the plan's totals", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const problems = await open(page, "/layers.html?model=mnist-mlp");
  await expect(page.locator("#size")).not.toHaveText("—", { timeout: 90_000 });
  await settled(page);
  const before = {
    size: await page.locator("#size").textContent(),
    accuracy: await page.locator("#accuracy").textContent(),
  };
  await expect(page.locator(".layer-sqnr").first()).toContainText("dB");
  // Each layer's input activations with the calibrated range: clipped fraction and KL.
  const inputs = page.locator("#layer-fc2 .input-note");
  await expect(inputs).toContainText("The minmax observer's range", {
    timeout: 60_000,
  });
  await expect(inputs).toContainText("clipping no values"); // min-max keeps every value
  await expect(inputs).toContainText(/KL \d\.\d{4} nats/);
  await page.locator("#choice-fc1").selectOption("int4-g32");
  await expect(page).toHaveURL(/plan=/);
  await expect(page.locator("#size")).not.toHaveText(before.size!, {
    timeout: 90_000,
  });
  await settled(page);
  const after = await page.locator("#size").textContent();
  // fc1 holds most of the weights: INT4 makes the model much smaller.
  expect(parseFloat(after!)).toBeLessThan(parseFloat(before.size!));
  expect(page.url()).toContain("fc1");
  // The plan lives in the URL: reloading restores the choice.
  await page.reload();
  await expect(page.locator("#choice-fc1")).toHaveValue("int4-g32");
  await expect(page.locator("#choice-fc2")).toHaveValue("int8");
  // Compare picks the plan up from the URL as the plan in focus, next to the presets.
  await page.getByRole("link", { name: "Compare" }).click();
  await expect(page.locator("#plan")).toHaveValue("session");
  await expect(page.locator("#plan option:checked")).toContainText(
    "int8 + fc1 int4-g32",
  );
  expect(problems).toEqual([]);
});

test("the one-tensor playground takes a real layer's weights", async ({
  page,
}) => {
  const problems = await open(page, "/tensor.html?model=mnist-mlp&layer=fc3");
  await expect(page.locator("body")).toHaveAttribute("data-state", "ready");
  await expect(page.locator("#layer-summary")).toContainText(
    "fc3: 1,280 real weights as 10 rows",
  );
  await expect(
    page.getByRole("radio", { name: "Layer weights" }),
  ).toBeChecked();
  expect(Number(await page.locator("#sqnr").textContent())).toBeGreaterThan(20);
  expect(problems).toEqual([]);
});

test("calibration observers choose different ranges on the outlier example", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const problems = await open(page, "/calibration.html?model=mnist-cnn");
  await settled(page);
  await page.locator("#calib-size").selectOption("128");
  await page.getByLabel(/Add one outlier image/).check();
  await page.getByRole("button", { name: "Compare the observers" }).click();
  await expect(page.locator("#ranges tbody tr")).toHaveCount(5, {
    timeout: 120_000,
  }); // 4 layers + accuracy
  const range = async (layer: string, method: string) => {
    const text = (await page
      .locator(`#ranges tr[data-layer="${layer}"] td[data-method="${method}"]`)
      .textContent())!;
    return text.split(" … ").map(Number) as [number, number];
  };
  const minmax = await range("fc1", "minmax");
  const percentile = await range("fc1", "percentile");
  const mse = await range("fc1", "mse");
  // Min-max keeps the outlier's huge activations; the clipping observers do not.
  expect(percentile[1]).toBeLessThan(minmax[1]);
  expect(mse[1]).toBeLessThan(minmax[1]);
  await expect(page.locator("#chart-caption")).toContainText("outlier");

  // What clipping does to fc1's input: every observer's range over its histogram, the same
  // ranges the quantized models used, min-max clipping nothing and the others some values.
  await page.locator("#clip-layer").selectOption("fc1");
  await expect(page.locator("#clip-caption")).toContainText("fc1's input");
  const clipRow = (method: string) =>
    page.locator(`#clipping tr[data-method="${method}"] td`);
  for (const [method, chosen] of [
    ["minmax", minmax],
    ["percentile", percentile],
    ["mse", mse],
  ] as const) {
    const [lo, hi] = (await clipRow(method).nth(0).innerText())
      .split(" … ")
      .map(Number);
    expect(lo).toBeCloseTo(chosen[0], 1);
    expect(hi).toBeCloseTo(chosen[1], 1);
  }
  await expect(clipRow("minmax").nth(1)).toHaveText("none");
  await expect(clipRow("percentile").nth(1)).toHaveText(/%$/);
  await expect(page.locator("#clip-chart")).toBeVisible();
  expect(problems).toEqual([]);
});
