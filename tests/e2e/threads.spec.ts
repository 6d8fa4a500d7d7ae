// Threads in Chromium, both ways: the cross-origin isolated preview (COOP/COEP, as `npm run
// demo` serves it) loads the threaded engine with a thread per core; the same built files served
// without those headers get the single-threaded engine, still work, and say why. The Kernels
// view shows the count, and its rows carry it. Relaxed SIMD both ways in both builds: Chromium
// accepts it, so the relaxed kernels run (on every thread of the threaded build, where the page
// checks their outputs against SIMD128's); with WebAssembly.validate refusing it in the engine's
// worker, the SIMD128 kernels run alone. Never asserts on speed.
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

// A quick run of the first case without ONNX Runtime; returns the threads column of its rows
// and, per row, whether it was also timed on the relaxed-SIMD kernels. The rest of the cases are
// cancelled; a page of one case (`?case=`) is left to finish.
async function quickFirstCase(
  page: Page,
  oneCase = false,
): Promise<{ threads: string[]; relaxed: boolean[] }> {
  await page.getByLabel("Quick run").check();
  const start = page.getByRole("button", { name: "Run benchmark" });
  await start.click();
  const rows = page.locator("#results tbody tr");
  await expect(rows).toHaveCount(4, { timeout: 90_000 });
  const threads: string[] = [];
  const relaxed: boolean[] = [];
  for (const row of await rows.all()) {
    const cells = await row.locator("td").allTextContents();
    expect(Number(cells[3])).toBeGreaterThan(0); // ms
    threads.push(cells[2]!);
    relaxed.push(Number(cells[12]) > 0); // relaxed ms
  }
  if (oneCase) await expect(start).toBeEnabled({ timeout: 90_000 });
  else await page.getByRole("button", { name: "Cancel" }).click();
  return { threads, relaxed };
}

// The page's engine worker as a browser without relaxed SIMD would run it: its
// WebAssembly.validate refuses any module with a relaxed-SIMD instruction (opcode 0xfd, then
// 0x100–0x113 as LEB128), which is how the library probes for relaxed SIMD.
const REFUSE_RELAXED_SIMD = `{
  const validate = WebAssembly.validate;
  WebAssembly.validate = (source) => {
    const b = ArrayBuffer.isView(source)
      ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
      : new Uint8Array(source);
    for (let i = 0; i + 2 < b.length; i++)
      if (b[i] === 0xfd && b[i + 1] >= 0x80 && b[i + 1] <= 0x93 && b[i + 2] === 0x02)
        return false;
    return validate(source);
  };
}
`;
async function refuseRelaxedSimd(page: Page): Promise<void> {
  await page.route(/\/assets\/bench-worker-[^/]+\.js$/, async (route) => {
    const response = await route.fetch();
    await route.fulfill({
      response,
      body: REFUSE_RELAXED_SIMD + (await response.text()),
    });
  });
}

const RELAXED_NOTE = "This browser runs relaxed SIMD";
const SIMD128_NOTE =
  "Only the SIMD128 kernels run: this browser has no relaxed SIMD.";
// Rows of 64: the pool splits them across the threads (FP32, INT8, W4A32, W4A8).
const SPLIT_CASE = "/bench.html?case=GEMM%2064%C3%971024%C3%971024";

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
  expect((await quickFirstCase(page)).threads).toEqual(
    Array(4).fill(String(cores)),
  );
  expect(problems).toEqual([]);
});

test("the threaded engine runs the relaxed kernels on every thread, or SIMD128 where refused", async ({
  page,
}) => {
  test.setTimeout(300_000);
  let problems = await open(page, SPLIT_CASE);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  let run = await quickFirstCase(page, true);
  await expect(page.locator("#simd-kernels")).toContainText(RELAXED_NOTE);
  expect(run.threads).toEqual(Array(4).fill(String(cores)));
  // INT8 and W4A8 timed on both kernel sets, whose outputs the page found identical.
  expect(run.relaxed).toEqual([false, true, false, true]);
  expect(problems).toEqual([]);

  await refuseRelaxedSimd(page);
  problems = await open(page, SPLIT_CASE);
  run = await quickFirstCase(page, true);
  await expect(page.locator("#simd-kernels")).toHaveText(SIMD128_NOTE);
  expect(run.threads).toEqual(Array(4).fill(String(cores)));
  expect(run.relaxed).toEqual([false, false, false, false]);
  // The relaxed kernels module is never fetched.
  const fetched = await page.evaluate(() =>
    performance.getEntriesByType("resource").map((e) => e.name),
  );
  expect(fetched.some((url) => url.includes("quantlab-relaxed"))).toBe(false);
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
    const run = await quickFirstCase(page);
    expect(run.threads).toEqual(["1", "1", "1", "1"]);
    await expect(page.locator("#simd-kernels")).toContainText(RELAXED_NOTE);
    expect(run.relaxed).toEqual([false, true, false, true]);
    expect(problems).toEqual([]);
  });

  test("the single-threaded engine runs SIMD128 where relaxed SIMD is refused", async ({
    page,
  }) => {
    test.setTimeout(180_000);
    await refuseRelaxedSimd(page);
    const problems = await open(page, `${plain.url}/bench.html`);
    const run = await quickFirstCase(page);
    await expect(page.locator("#simd-kernels")).toHaveText(SIMD128_NOTE);
    expect(run).toEqual({
      threads: ["1", "1", "1", "1"],
      relaxed: [false, false, false, false],
    });
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
