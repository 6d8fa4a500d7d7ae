// `npm run bench:chromium` (through scripts/bench/run.mjs): the benchmark page (bench.html) of
// the built app in Debian's Chromium, driven by Playwright, which prints what the page shows:
// the kernels it runs (relaxed SIMD is on by default in Chromium), the roofline, the kernel
// table, the whole-model table and the target checks; the page's JSON download is saved to
// bench-results/chromium-<time>.json.
//   --quick         the page's quick run
//   --no-ort        without ONNX Runtime Web
//   --case=TEXT     only cases whose name contains TEXT (repeatable)
//   --models-only   only the whole-model rows
//   --kernels-only  only the kernel rows
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";
import { chromiumLaunchOptions } from "../../tests/e2e/chromium";
import type { ModelRow } from "../../web/app/src/bench/model-rows";
import {
  formatModelAgreement,
  formatModelTable,
  MODEL_TABLE_LEGEND,
} from "../../web/app/src/bench/model-table";
import {
  alignColumns,
  isNumericKernelColumn,
} from "../../web/app/src/bench/table";
import { formatCheck, type TargetCheck } from "../../web/app/src/bench/targets";

const root = fileURLToPath(new URL("../..", import.meta.url));
const args = process.argv.slice(2);
const known = ["--quick", "--no-ort", "--models-only", "--kernels-only"];
const unknown = args.filter(
  (a) => !known.includes(a) && !a.startsWith("--case="),
);
if (unknown.length > 0) {
  console.error(`unknown option(s): ${unknown.join(" ")}`);
  process.exit(2);
}
const cases = args
  .filter((a) => a.startsWith("--case="))
  .map((a) => a.slice(7));

const port = await new Promise<number>((resolve) => {
  const server = createServer().listen(0, "127.0.0.1", () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  });
});
const preview = spawn(
  "npx",
  [
    "vite",
    "preview",
    "--config",
    "web/app/vite.config.ts",
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--strictPort",
  ],
  // Its own process group: npx runs vite as a child, which killing npx alone would leave serving.
  { cwd: root, stdio: "ignore", detached: true },
);
const browser = await chromium.launch(chromiumLaunchOptions);
try {
  const page = await browser.newPage();
  const query = cases.map((c) => `case=${encodeURIComponent(c)}`).join("&");
  for (let attempt = 0; ; ++attempt) {
    try {
      await page.goto(`http://127.0.0.1:${port}/bench.html?${query}`);
      break;
    } catch (error) {
      if (attempt > 60) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000)); // vite preview starting
    }
  }
  if (!args.includes("--no-ort"))
    await page.getByLabel(/Also run ONNX Runtime Web/).check();
  if (args.includes("--quick")) await page.getByLabel("Quick run").check();
  if (args.includes("--models-only"))
    await page.getByLabel(/^Kernels/).uncheck();
  if (args.includes("--kernels-only"))
    await page.getByLabel(/^Whole models/).uncheck();
  await page.getByRole("button", { name: "Run benchmark" }).click();
  const status = page.locator("#status");
  await status
    .filter({ hasText: /^(Done|Failed|Cancelled)/ })
    .waitFor({ timeout: 3_600_000 });
  const text = async (selector: string) =>
    (await page.locator(selector).allInnerTexts()).join("\n");
  console.log(
    `QuantLab benchmark in Chromium ${browser.version()}: ${await text("#threads")} ${await text("#simd-kernels")}`,
  );
  if (!args.includes("--models-only")) {
    console.log(`roofline: ${await text("#roofline-summary")}\n`);
    const header = await page.locator("#results thead th").allInnerTexts();
    const rows = await Promise.all(
      (await page.locator("#results tbody tr").all()).map((row) =>
        row.locator("td").allInnerTexts(),
      ),
    );
    console.log(
      alignColumns(header, rows, isNumericKernelColumn).lines.join("\n"),
    );
    console.log(`\nissue targets:\n${await text("#checks")}`);
  }
  if ((await status.innerText()).startsWith("Done")) {
    const outDir = resolve(root, "bench-results");
    mkdirSync(outDir, { recursive: true });
    const [file] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download results (JSON)" }).click(),
    ]);
    const path = resolve(outDir, `chromium-${file.suggestedFilename()}`);
    await file.saveAs(path);
    const { models } = JSON.parse(readFileSync(path, "utf8")) as {
      models: { plans: string[]; rows: ModelRow[]; checks: TargetCheck[] };
    };
    if (models.rows.length > 0)
      console.log(
        [
          "\nWhole models:",
          formatModelTable(models.rows, models.plans),
          `(${MODEL_TABLE_LEGEND})`,
          ...models.checks.map((c) => `target: ${formatCheck(c)}`),
          formatModelAgreement(models.rows),
        ].join("\n"),
      );
    console.log(`\nresults written to ${path}`);
  }
  console.log(`\n${await status.innerText()}`);
} finally {
  await browser.close();
  process.kill(-preview.pid!);
}
