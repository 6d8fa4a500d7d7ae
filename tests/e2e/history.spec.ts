// History in Chromium: a Compare run is kept (in another open tab at once) and survives a
// reload; a planted regression shows in the diff of two reports; import and export round-trip;
// bad files are refused in plain words while the view stays usable; a run on the user's own
// model files is kept without a link to settings the URL cannot restore.
import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import type { HistoryFile } from "../../web/app/src/history/files";
import {
  jsonFile,
  plantRegression,
  twoMeasuredReports,
} from "./history-helpers";
import { open, runCompare, SCREENSHOTS, settled } from "./lab-helpers";

const keptRows = (page: Page) => page.locator("#reports tbody tr");

/** The diff table's row of one precision (its row header). */
const diffRow = (page: Page, name: string) =>
  page
    .locator("#diff tbody tr")
    .filter({ has: page.getByRole("rowheader", { name, exact: true }) });

async function downloaded(page: Page, click: () => Promise<void>) {
  const download = page.waitForEvent("download");
  await click();
  const file = await download;
  return {
    name: file.suggestedFilename(),
    text: await readFile(await file.path(), "utf8"),
  };
}

test("a Compare run is kept in History across a reload, and a planted regression shows in a diff", async ({
  page,
}) => {
  test.setTimeout(240_000);
  const started = Date.now();
  // History open in one tab, Compare run in another: the run shows up in History at once.
  const history = await page.context().newPage();
  await history.goto("/history.html");
  await settled(history);
  await expect(keptRows(history)).toHaveCount(0);
  const problems = await open(page, "/index.html?model=mnist-mlp");
  await settled(page);
  await expect(page.locator("#history-note")).toContainText(
    "Every finished run is kept",
  );
  await runCompare(page, "0", 150_000);
  await expect(page.locator("#history-note")).toContainText(
    "This run is kept in History",
  );
  await expect(keptRows(history)).toHaveCount(1);
  await history.close();
  await page.locator("#history-note").getByRole("link").click();
  await expect(page).toHaveURL(/history\.html\?model=mnist-mlp/);
  await settled(page);
  await expect(keptRows(page)).toHaveCount(1);
  await page.reload();
  await settled(page);
  const row = keptRows(page).first();
  await expect(keptRows(page)).toHaveCount(1);
  await expect(row).toContainText("mnist-mlp2,000 mnist test images");
  await expect(row).toContainText("int8, int8-dynamic, int4-g32");
  await expect(row).toContainText(
    /wasm SIMD128 in Chrome \d+, (one thread|\d+ threads), on .*Linux.* \(\d+ logical cores\)/,
  );
  await expect(row.getByRole("link", { name: "Compare run" })).toHaveAttribute(
    "href",
    "./index.html?model=mnist-mlp",
  );
  await expect(page.locator("#time-caption")).toContainText(
    "mnist-mlp: 1 report",
  );

  // The kept report is the run's, dated when it finished.
  const exported = await downloaded(page, () =>
    row.getByRole("button", { name: /^Export the report/ }).click(),
  );
  const kept = JSON.parse(exported.text);
  expect(kept.format).toBe("quantlab-report");
  expect(Date.parse(kept.created)).toBeGreaterThanOrEqual(started);
  expect(Date.parse(kept.created)).toBeLessThanOrEqual(Date.now());

  // A later report in which int8 gets 30 more images wrong: the diff calls it significant.
  await page
    .locator("#import")
    .setInputFiles(jsonFile("planted.json", plantRegression(kept, "int8", 30)));
  await expect(keptRows(page)).toHaveCount(2);
  await expect(page.locator("#import-status")).toHaveText("Imported 1 report.");
  await page.getByRole("button", { name: "Diff", exact: true }).click();
  await expect(diffRow(page, "int8")).toContainText("significantly worse");
  await expect(diffRow(page, "int8")).toContainText("(30 / 0)");
  await expect(diffRow(page, "int8")).toContainText("−1.50 pts");
  for (const name of [
    "fp32",
    "int8-dynamic",
    "int4-g32",
    "int4-tensor",
    "w4a8",
  ])
    await expect(diffRow(page, name)).toContainText("within noise");
  await expect(page.locator("#diff-summary")).toContainText("Same test images");
  const markdown = await downloaded(page, () =>
    page.getByRole("button", { name: "Download the diff as Markdown" }).click(),
  );
  expect(markdown.text).toContain("significantly worse");
  await expect(page.locator("#time-caption")).toContainText(
    "mnist-mlp: 2 reports",
  );
  expect(problems).toEqual([]);
});

test("History exports and imports JSON, deletes with undo, and refuses bad files in plain words", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const [first, second] = await twoMeasuredReports();
  const problems = await open(page, "/history.html");
  await settled(page);
  await expect(page.locator("#list-caption")).toContainText("Nothing kept yet");
  await page.screenshot({ path: `${SCREENSHOTS}/history-empty-1360.png` });
  const { created: _created, ...undated } = first;
  await page
    .locator("#import")
    .setInputFiles([
      jsonFile("ci.json", undated),
      jsonFile("later.json", second),
    ]);
  await expect(keptRows(page)).toHaveCount(2);
  // Newest first; a report without a date is placed at its file's.
  await expect(keptRows(page).first()).toContainText("(file date)");
  await expect(keptRows(page).last()).toContainText("29 Nov 2026");
  const dates = await keptRows(page).locator("th").allTextContents();

  const all = await downloaded(page, () =>
    page.getByRole("button", { name: "Export all as JSON" }).click(),
  );
  const history = JSON.parse(all.text) as HistoryFile;
  expect(history.format).toBe("quantlab-history");
  expect(
    history.entries.map((e) => e.report.calibration.method).sort(),
  ).toEqual(["minmax", "percentile"]);

  // Delete and undo from the keyboard, then delete both: the list empties.
  await keptRows(page)
    .first()
    .getByRole("button", { name: /^Delete/ })
    .focus();
  await page.keyboard.press("Enter");
  await expect(keptRows(page)).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Undo" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(keptRows(page)).toHaveCount(2);
  for (let left = 1; left >= 0; left--) {
    await keptRows(page)
      .first()
      .getByRole("button", { name: /^Delete/ })
      .click();
    await expect(keptRows(page)).toHaveCount(left);
  }
  await expect(page.locator("#list-caption")).toContainText("Nothing kept yet");

  // The export brings both back with their dates; importing it again adds nothing.
  await page.locator("#import").setInputFiles(jsonFile(all.name, all.text));
  await expect(keptRows(page)).toHaveCount(2);
  expect(await keptRows(page).locator("th").allTextContents()).toEqual(dates);
  await page.locator("#import").setInputFiles(jsonFile(all.name, all.text));
  await expect(page.locator("#import-status")).toHaveText(
    "Imported 0 reports; 2 were already kept.",
  );

  // Bad files: each refused with its name and what is wrong; the rest still works.
  const error = page.locator("#import-error");
  await page
    .locator("#import")
    .setInputFiles(jsonFile("notes.json", { hello: "world" }));
  await expect(error).toHaveText(
    'notes.json is not a QuantLab report: its "format" field is missing, a report\'s is "quantlab-report".',
  );
  await page
    .locator("#import")
    .setInputFiles(jsonFile("future.json", { ...second, version: 2 }));
  await expect(error).toContainText(
    "future.json is a report of version 2; this lab reads version 1 reports only",
  );
  await page
    .locator("#import")
    .setInputFiles(jsonFile("half.json", '{"format": "quant'));
  await expect(error).toContainText("half.json is not a JSON file");
  const damaged = { ...second, test_labels: "AAAA" };
  await page
    .locator("#import")
    .setInputFiles(jsonFile("damaged.json", damaged));
  await expect(error).toHaveText(
    "damaged.json is not a report this lab can read: test_labels holds 3 labels, test_examples is 2000",
  );
  await expect(keptRows(page)).toHaveCount(2);
  await page.screenshot({ path: `${SCREENSHOTS}/history-bad-import-1360.png` });
  await page.getByRole("button", { name: "Diff", exact: true }).click();
  await expect(diffRow(page, "int8")).toContainText(
    /within noise|significantly/,
  );
  await page.reload();
  await settled(page);
  await expect(keptRows(page)).toHaveCount(2);
  expect(problems).toEqual([]);
});

test("a Compare run on the user's own model files is kept without a link to settings it cannot restore", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const problems = await open(page, "/index.html");
  await settled(page);
  await page
    .locator("#upload")
    .setInputFiles([
      "models/mnist-mlp/manifest.json",
      "models/mnist-mlp/model.safetensors",
    ]);
  await expect(page.locator("#model-summary")).toContainText("(your file)");
  await runCompare(page, "0", 150_000);
  await page.locator("#history-note").getByRole("link").click();
  await settled(page);
  const row = keptRows(page).first();
  await expect(keptRows(page)).toHaveCount(1);
  await expect(row).toContainText("Compare run (your model files)");
  await expect(row.getByRole("link")).toHaveCount(0);
  expect(problems).toEqual([]);
});
