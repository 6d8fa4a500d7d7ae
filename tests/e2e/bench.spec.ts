// The bench page in Chromium: the benchmark runs in a Worker, fills the table row by row with
// numbers from the engine and ONNX Runtime Web (loaded from the app's own files), and Cancel
// stops it. Never asserts on speed.
import { expect, test } from "@playwright/test";

test("runs the roofline and the first case in a worker, then cancels", async ({
  page,
}) => {
  // Two waits of up to a minute each on a loaded machine: more than the default test time.
  test.setTimeout(180_000);
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.on(
    "response",
    (response) =>
      response.status() >= 400 &&
      problems.push(`${response.status()} ${response.url()}`),
  );
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
