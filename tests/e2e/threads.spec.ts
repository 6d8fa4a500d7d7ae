// Threads in Chromium, both ways: the cross-origin isolated preview (COOP/COEP, as `npm run
// demo` serves it) loads the threaded engine with a thread per core; the same built files served
// without those headers get the single-threaded engine, still work, and say why. The Kernels
// view shows the count, and its rows carry it. Never asserts on speed.
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test, type Page } from "@playwright/test";
import { compressForTheWire } from "../../web/app/compress";
import { CONTENT_TYPES } from "../../web/app/content-types";
import { freePort } from "./free-port";
import { FIRST_VISIT_BUDGET, firstVisit, open } from "./lab-helpers";

const dist = fileURLToPath(new URL("../../web/app/dist/", import.meta.url));

// The built app as a plain static server would serve it: compressed as the preview does, but
// without the isolation headers.
async function plainServer(): Promise<{ server: Server; url: string }> {
  const port = await freePort();
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "/").split("?")[0]!);
    const file = normalize(join(dist, path === "/" ? "index.html" : path));
    if (!file.startsWith(dist)) return void res.writeHead(403).end();
    readFile(file).then(
      (body) => {
        const brotli = /\bbr\b/.test(String(req.headers["accept-encoding"]));
        res.writeHead(200, {
          "Content-Type":
            CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
          ...(brotli ? { "Content-Encoding": "br" } : {}),
        });
        res.end(brotli ? compressForTheWire(body) : body);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) =>
    server.listen(port, "127.0.0.1", resolve),
  );
  return { server, url: `http://127.0.0.1:${port}` };
}

// A quick run of the first case without ONNX Runtime; returns the threads column of its rows.
async function quickFirstCase(page: Page): Promise<string[]> {
  await page.getByLabel("Quick run").check();
  await page.getByRole("button", { name: "Run benchmark" }).click();
  const rows = page.locator("#results tbody tr");
  await expect(rows).toHaveCount(4, { timeout: 90_000 });
  const threads: string[] = [];
  for (const row of await rows.all()) {
    const cells = await row.locator("td").allTextContents();
    expect(Number(cells[3])).toBeGreaterThan(0); // ms
    threads.push(cells[2]!);
  }
  await page.getByRole("button", { name: "Cancel" }).click();
  return threads;
}

test("a cross-origin isolated page runs a thread per core", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const problems = await open(page, "/bench.html");
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await expect(page.locator("#threads")).toContainText(
    cores > 1
      ? `Threads: ${cores} (ours and ONNX Runtime Web) — ${cores} threads, the cores available.`
      : "Threads: 1",
  );
  expect(await quickFirstCase(page)).toEqual(Array(4).fill(String(cores)));
  expect(problems).toEqual([]);
});

test.describe("without COOP/COEP", () => {
  let plain: { server: Server; url: string };
  test.beforeAll(async () => {
    plain = await plainServer();
  });
  test.afterAll(
    () => new Promise<void>((done) => plain.server.close(() => done())),
  );

  test("falls back to one thread, works and says why", async ({ page }) => {
    test.setTimeout(180_000);
    const problems = await open(page, `${plain.url}/bench.html`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    await expect(page.locator("#threads")).toContainText(
      cores > 1
        ? `Threads: 1 (ours and ONNX Runtime Web) — 1 thread instead of ${cores}: this page is not cross-origin isolated`
        : "Threads: 1",
    );
    // Only the single-threaded engine is fetched.
    const fetched = await page.evaluate(() =>
      performance.getEntriesByType("resource").map((e) => e.name),
    );
    expect(fetched.some((url) => url.includes("quantlab-engine-threads"))).toBe(
      false,
    );
    expect(await quickFirstCase(page)).toEqual(["1", "1", "1", "1"]);
    expect(problems).toEqual([]);
  });

  test("the lab's first visit fetches only the one-thread engine, within the budget", async ({
    page,
  }) => {
    test.setTimeout(120_000);
    const { files, bytes } = await firstVisit(page, `${plain.url}/index.html`);
    expect(
      files.some(([url]) =>
        /quantlab-engine-(?!threads)[^/]*\.wasm$/.test(url),
      ),
    ).toBe(true);
    expect(files.some(([url]) => url.includes("quantlab-engine-threads"))).toBe(
      false,
    );
    expect(bytes).toBeLessThanOrEqual(FIRST_VISIT_BUDGET);
  });
});
