// Playwright drives Debian's Chromium (never a downloaded browser) against `vite preview` of the
// built app (web/app/dist, made by scripts/build.sh).
import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";
import { chromiumLaunchOptions } from "./chromium";
import { freePort } from "./free-port";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

// Test workers load this file again; the environment carries the runner's port to them.
process.env.QUANTLAB_E2E_PORT ??= String(await freePort());
const port = Number(process.env.QUANTLAB_E2E_PORT);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: ".",
  outputDir: "./test-results",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL,
    viewport: { width: 1360, height: 900 },
    launchOptions: chromiumLaunchOptions,
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: {
    command: `npx vite preview --config web/app/vite.config.ts --host 127.0.0.1 --port ${port} --strictPort`,
    cwd: repoRoot,
    url: `${baseURL}/index.html`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
