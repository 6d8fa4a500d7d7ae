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
  await page.goto("/bench.html");
  await page.getByLabel("Quick run").check();
  await page.getByRole("button", { name: "Run benchmark" }).click();

  await expect(page.locator("#roofline-summary")).toContainText(
    /stream read [\d.]+ GB\/s/,
    { timeout: 60_000 },
  );
  const rows = page.locator("#results tbody tr");
  await expect(rows).toHaveCount(4, { timeout: 60_000 });
  await expect(rows.first()).toContainText("GEMV 1×1024×1024");
  // Our time and ONNX Runtime's are numbers on every row of the first case.
  for (const row of await rows.all()) {
    const cells = await row.locator("td").allTextContents();
    expect(Number(cells[2])).toBeGreaterThan(0);
    expect(Number(cells[8])).toBeGreaterThan(0);
  }
  const agreement = page.locator("#agreement li");
  await expect(agreement).toHaveCount(4);
  for (const line of await agreement.allTextContents()) {
    expect(line).toMatch(/✓$/);
  }
  await expect(page.locator("#roofline-chart")).toBeVisible();

  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.locator("#status")).toContainText("Cancelled");
  await expect(
    page.getByRole("button", { name: "Run benchmark" }),
  ).toBeEnabled();
  expect(problems).toEqual([]);
});
