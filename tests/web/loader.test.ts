// Where the engine's .wasm comes from (createQuantLab's `wasm` option) and the errors a wrong
// place gives: each source kind loads a working engine; an HTML page served where the .wasm
// should be is named with its URL and content type; a JavaScript engine without SIMD128 is told so.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createQuantLab, type WasmSource } from "../../web/lib/src/index";

const wasmUrl = new URL(
  "../../web/lib/wasm/quantlab-engine.wasm",
  import.meta.url,
);
const wasmBytes = readFileSync(wasmUrl);

// Serves the .wasm as application/wasm, as application/octet-stream, and an HTML page (what a
// dev server's fallback gives for a path it does not know).
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === "/wasm/quantlab-engine.wasm") {
      response.writeHead(200, { "content-type": "application/wasm" });
      response.end(wasmBytes);
    } else if (request.url === "/octet/quantlab-engine.wasm") {
      response.writeHead(200, { "content-type": "application/octet-stream" });
      response.end(wasmBytes);
    } else {
      response.writeHead(200, { "content-type": "text/html" });
      response.end("<!doctype html>\n<html><body>the app</body></html>");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const schemeNameWith = async (wasm: WasmSource) => {
  const lab = createQuantLab({ worker: false, wasm });
  try {
    return await lab.schemeName({ bits: 8 });
  } finally {
    await lab.dispose();
  }
};

describe("the wasm option", () => {
  it.each<[string, () => WasmSource]>([
    [
      "a URL served as application/wasm (streaming)",
      () => `${base}/wasm/quantlab-engine.wasm`,
    ],
    ["a folder prefix", () => `${base}/wasm/`],
    [
      "a URL served as application/octet-stream",
      () => new URL(`${base}/octet/quantlab-engine.wasm`),
    ],
    ["a file path", () => fileURLToPath(wasmUrl)],
    ["a file: URL", () => wasmUrl],
    ["bytes", () => new Uint8Array(wasmBytes)],
    ["an ArrayBuffer", () => new Uint8Array(wasmBytes).buffer],
    ["a compiled WebAssembly.Module", () => new WebAssembly.Module(wasmBytes)],
  ])("loads the engine from %s", async (_, source) => {
    expect(await schemeNameWith(source())).toMatch(/INT8/);
  });

  it("names the URL and content type when the response is not WebAssembly", async () => {
    const url = `${base}/assets/quantlab-engine.wasm`;
    await expect(schemeNameWith(url)).rejects.toMatchObject({
      code: "WasmLoadFailed",
      message: expect.stringMatching(
        /assets\/quantlab-engine\.wasm \(text\/html\) is not WebAssembly .*"<!doctype html> <html>/,
      ),
    });
  });

  it("names a file that is missing", async () => {
    await expect(
      schemeNameWith("/nonexistent/quantlab-engine.wasm"),
    ).rejects.toMatchObject({
      code: "WasmLoadFailed",
      message: expect.stringContaining("/nonexistent/quantlab-engine.wasm"),
    });
  });

  it("reports a JavaScript engine without SIMD128", async () => {
    const validate = vi.spyOn(WebAssembly, "validate").mockReturnValue(false);
    try {
      await expect(schemeNameWith(wasmBytes)).rejects.toMatchObject({
        code: "SimdUnsupported",
        message: expect.stringContaining("SIMD128"),
      });
    } finally {
      validate.mockRestore();
    }
  });
});
