// Loads the engine's WebAssembly module once per thread. The Emscripten loader is built for
// web and worker only (DESIGN.md, toolchain facts), so this file supplies the .wasm bytes
// itself: read from disk in Node, fetched in browsers and workers.
import createQuantLabEngine from "../wasm/quantlab-engine.mjs";
import { createEngine, type Engine } from "./engine";
import type { RawEngineModule } from "./raw-module";

// Written as `new URL(literal, import.meta.url)` so Vite emits the .wasm as an asset and
// rewrites this URL in the built app.
const wasmUrl = new URL("../wasm/quantlab-engine.wasm", import.meta.url);

let engine: Promise<Engine> | undefined;
let rawModule: Promise<RawEngineModule> | undefined;

/** The engine, loaded on first use; later calls return the same instance. */
export function loadEngine(): Promise<Engine> {
  engine ??= instantiate().catch((error: unknown) => {
    engine = undefined; // let a later call retry, e.g. after a network error
    throw error;
  });
  return engine;
}

/**
 * The Embind module itself, shared with loadEngine(): for tools that call engine entry points
 * outside the typed API (the benchmark's kernel calls and roofline probes).
 */
export function loadRawModule(): Promise<RawEngineModule> {
  rawModule ??= instantiateRaw().catch((error: unknown) => {
    rawModule = undefined;
    throw error;
  });
  return rawModule;
}

async function instantiate(): Promise<Engine> {
  return createEngine(await loadRawModule());
}

async function instantiateRaw(): Promise<RawEngineModule> {
  const wasmBinary = isNode() ? await readWasmFromDisk() : await fetchWasm();
  return createQuantLabEngine({ wasmBinary });
}

// Node (including its worker threads) exposes process.versions.node; browsers and their
// workers have no `process` unless a bundler polyfills it, and polyfills carry no node version.
function isNode(): boolean {
  const process = (globalThis as { process?: { versions?: { node?: string } } })
    .process;
  return typeof process?.versions?.node === "string";
}

async function readWasmFromDisk(): Promise<Uint8Array> {
  // A computed specifier keeps bundlers from trying to resolve a Node built-in for the browser.
  const fsModule = "node:fs/promises";
  const { readFile } = (await import(
    /* @vite-ignore */ fsModule
  )) as typeof import("node:fs/promises");
  try {
    return await readFile(wasmUrl);
  } catch (error) {
    throw new Error(
      `QuantLab engine not found at ${wasmUrl.pathname}; build it first (npm run build). ${String(error)}`,
    );
  }
}

async function fetchWasm(): Promise<ArrayBuffer> {
  const response = await fetch(wasmUrl);
  if (!response.ok) {
    throw new Error(
      `Could not load the QuantLab engine from ${wasmUrl.href}: HTTP ${response.status}`,
    );
  }
  return response.arrayBuffer();
}
