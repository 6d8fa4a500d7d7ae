// `npm run bench:chromium` (through scripts/bench/run.mjs): the benchmark page (bench.html) of the built app in Debian's Chromium,
// driven by Playwright, which prints what the page shows: the kernels it runs (relaxed SIMD is
// on by default in Chromium), the roofline, the table and the target checks.
//   --quick        the page's quick run
//   --no-ort       without ONNX Runtime Web
//   --case=TEXT    only cases whose name contains TEXT (repeatable)
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";
import { chromiumLaunchOptions } from "../../tests/e2e/chromium";

const root = fileURLToPath(new URL("../..", import.meta.url));
const args = process.argv.slice(2);
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
  { cwd: root, stdio: "ignore" },
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
  await page.getByRole("button", { name: "Run benchmark" }).click();
  const status = page.locator("#status");
  await status
    .filter({ hasText: /^(Done|Failed|Cancelled)/ })
    .waitFor({ timeout: 3_600_000 });
  const text = async (selector: string) =>
    (await page.locator(selector).allInnerTexts()).join("\n");
  const version = browser.version();
  console.log(
    `QuantLab benchmark in Chromium ${version}: ${await text("#simd-kernels")}`,
  );
  console.log(`roofline: ${await text("#roofline-summary")}\n`);
  const header = await page.locator("#results thead th").allInnerTexts();
  const rows = await Promise.all(
    (await page.locator("#results tbody tr").all()).map((row) =>
      row.locator("td").allInnerTexts(),
    ),
  );
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => r[i]!.length)),
  );
  for (const cells of [header, ...rows])
    console.log(
      cells
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    );
  console.log(`\nissue targets:\n${await text("#checks")}`);
  console.log(`\n${await status.innerText()}`);
} finally {
  await browser.close();
  preview.kill();
}
