// Where the engine's .wasm comes from and how it is turned into a WebAssembly instance, like
// onnxruntime-web's env.wasm.wasmPaths: a URL or folder prefix (fetched, compiled while it
// streams when served as application/wasm), a file path in Node, the bytes themselves or an
// already compiled module. Every failure names the place the bytes came from.
import { QuantLabError } from "../errors.js";

/**
 * Where to find the engine's `.wasm`:
 * - a URL (string or `URL`) of the file; a string ending in `/` is a folder prefix to which
 *   `quantlab-engine.wasm` is appended; in Node a `file:` URL or a plain file path is read from disk;
 * - its bytes (`ArrayBuffer` or `Uint8Array`);
 * - a compiled `WebAssembly.Module` (e.g. compiled once and shared with several workers).
 *
 * Default: the `quantlab-engine.wasm` shipped beside the library (`quantlab/wasm`), found
 * relative to the library's own URL, which bundlers such as Vite rewrite to the emitted asset.
 */
export type WasmSource =
  string | URL | ArrayBuffer | Uint8Array | WebAssembly.Module;

/** The file name the engine build writes and a folder prefix is completed with. */
export const WASM_FILE_NAME = "quantlab-engine.wasm";

// (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt)): valid only with SIMD128.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8,
  0, 65, 0, 253, 15, 253, 98, 11,
]);

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d]; // "\0asm"

/** Throws SimdUnsupported when this JavaScript engine cannot run SIMD128 code. */
export function requireSimd(): void {
  if (typeof WebAssembly !== "object")
    throw new QuantLabError(
      "SimdUnsupported",
      "this JavaScript engine has no WebAssembly",
    );
  if (!WebAssembly.validate(SIMD_PROBE)) {
    throw new QuantLabError(
      "SimdUnsupported",
      "this JavaScript engine lacks WebAssembly SIMD128 (fixed-width SIMD), which QuantLab's kernels need; use a current Chrome, Edge, Firefox, Safari 16.4+ or Node.js 16.4+",
    );
  }
}

/** The threaded build's file name (a folder prefix is completed with it for that build). */
export const THREADED_WASM_FILE_NAME = "quantlab-engine-threads.wasm";

/** An instance with its compiled module (the threaded build hands the module to its Workers). */
export type Instantiated = WebAssembly.WebAssemblyInstantiatedSource;

/** Instantiates the engine's wasm from `source` with Emscripten's `imports`. */
export async function instantiateWasm(
  source: WasmSource,
  imports: WebAssembly.Imports,
  fileName = WASM_FILE_NAME,
): Promise<Instantiated> {
  requireSimd();
  if (source instanceof WebAssembly.Module)
    return {
      instance: await WebAssembly.instantiate(source, imports),
      module: source,
    };
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source))
    return instantiateBytes(toBytes(source), imports, "the given bytes");
  const location = locate(source, fileName);
  if (isFileLocation(location)) {
    return instantiateBytes(
      await readFileBytes(location),
      imports,
      String(location),
    );
  }
  return instantiateFetched(
    location instanceof URL ? location : new URL(location),
    imports,
  );
}

function toBytes(source: ArrayBuffer | Uint8Array): Uint8Array {
  return source instanceof Uint8Array ? source : new Uint8Array(source);
}

/** A URL, or in Node a plain file path; folder prefixes completed with the file name. */
function locate(source: string | URL, fileName: string): URL | string {
  const text = String(source);
  const completed = text.endsWith("/") ? `${text}${fileName}` : text;
  if (source instanceof URL) return new URL(completed);
  if (URL.canParse(completed)) return new URL(completed);
  if (isNode()) return completed; // a file path
  return new URL(completed, globalThis.location?.href);
}

function isFileLocation(location: URL | string): boolean {
  return typeof location === "string" || location.protocol === "file:";
}

// Node (including its worker threads) exposes process.versions.node; browsers and their
// workers have no `process` unless a bundler polyfills it, and polyfills carry no node version.
export function isNode(): boolean {
  const process = (globalThis as { process?: { versions?: { node?: string } } })
    .process;
  return typeof process?.versions?.node === "string";
}

async function readFileBytes(location: URL | string): Promise<Uint8Array> {
  // A computed specifier keeps bundlers from resolving a Node built-in for the browser.
  const fsModule = "node:fs/promises";
  const { readFile } = (await import(
    /* @vite-ignore */ fsModule
  )) as typeof import("node:fs/promises");
  try {
    return await readFile(location);
  } catch (error) {
    throw new QuantLabError(
      "WasmLoadFailed",
      `could not read the QuantLab engine from ${String(location)}: ${String(error)}`,
      { cause: error },
    );
  }
}

/**
 * The bytes of a .wasm file at `source` (as for the engine's: a URL, a folder prefix completed
 * with `fileName`, in Node a file path, or the bytes themselves).
 */
export async function readWasmBytes(
  source: string | URL | ArrayBuffer | Uint8Array,
  fileName: string,
): Promise<Uint8Array> {
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source))
    return toBytes(source);
  const location = locate(source, fileName);
  if (isFileLocation(location)) return readFileBytes(location);
  const url = location instanceof URL ? location : new URL(location);
  const response = await fetch(url).catch((error: unknown) => {
    throw new QuantLabError(
      "WasmLoadFailed",
      `could not fetch ${url.href}: ${String(error)}`,
      { cause: error },
    );
  });
  if (!response.ok) {
    throw new QuantLabError(
      "WasmLoadFailed",
      `could not fetch ${url.href}: HTTP ${response.status}`,
    );
  }
  return new Uint8Array(await response.arrayBuffer());
}

async function instantiateFetched(
  url: URL,
  imports: WebAssembly.Imports,
): Promise<Instantiated> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new QuantLabError(
      "WasmLoadFailed",
      `could not fetch the QuantLab engine from ${url.href}: ${String(error)}`,
      { cause: error },
    );
  }
  const contentType = response.headers.get("content-type") ?? "no content-type";
  if (!response.ok) {
    throw new QuantLabError(
      "WasmLoadFailed",
      `could not fetch the QuantLab engine from ${url.href}: HTTP ${response.status} (${contentType})`,
    );
  }
  // Streaming compiles while downloading, but browsers only allow it for application/wasm.
  if (contentType.split(";")[0]!.trim() === "application/wasm") {
    try {
      return await WebAssembly.instantiateStreaming(response, imports);
    } catch (error) {
      throw compileError(error, url.href, contentType);
    }
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  return instantiateBytes(bytes, imports, `${url.href} (${contentType})`);
}

async function instantiateBytes(
  bytes: Uint8Array,
  imports: WebAssembly.Imports,
  origin: string,
): Promise<Instantiated> {
  if (!WASM_MAGIC.every((byte, i) => bytes[i] === byte)) {
    const start = new TextDecoder()
      .decode(bytes.subarray(0, 40))
      .replace(/\s+/g, " ");
    throw new QuantLabError(
      "WasmLoadFailed",
      `${origin} is not WebAssembly (it does not start with \\0asm but with ${JSON.stringify(start)}); ` +
        "a dev server that answers unknown paths with index.html does this: point the `wasm` option at the served .wasm file",
    );
  }
  try {
    // A copy backed by a plain ArrayBuffer, which WebAssembly.instantiate requires.
    return await WebAssembly.instantiate(new Uint8Array(bytes), imports);
  } catch (error) {
    throw compileError(error, origin);
  }
}

function compileError(
  error: unknown,
  origin: string,
  contentType?: string,
): QuantLabError {
  const served = contentType === undefined ? "" : ` (served as ${contentType})`;
  return new QuantLabError(
    "WasmLoadFailed",
    `could not compile the QuantLab engine from ${origin}${served}: ${String(error)}`,
    { cause: error },
  );
}
