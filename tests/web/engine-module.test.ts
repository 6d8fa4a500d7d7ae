// The library's one typing of the Embind module (web/lib/src/engine-module.ts) against what the
// built module really exports: a binding added, renamed or removed in engine/bindings/ without
// updating the typing fails here, naming the difference.
import { describe, expect, it } from "vitest";
import { ENGINE_MODULE_EXPORTS } from "../../web/lib/src/engine-module";
import { loadRawModule } from "../../web/lib/src/index";

// What Emscripten's runtime and Embind's own helpers put on the module (not engine bindings).
const RUNTIME = new Set([
  "ready",
  "calledRun",
  "asm",
  "run",
  "instantiateWasm",
  "wasmMemory",
  "preloadedImages",
  "preloadedAudios",
  "InternalError",
  "BindingError",
  "UnboundTypeError",
  "getInheritedInstanceCount",
  "getLiveInheritedInstances",
  "flushPendingDeletes",
  "setDelayFunction",
  "count_emval_handles",
  "get_first_emval",
]);
// dynCall_<signature>: Emscripten's JS trampolines for wasm function pointers with 64-bit
// arguments, generated for whatever the engine happens to call indirectly.
const isRuntime = (name: string) =>
  RUNTIME.has(name) ||
  name.startsWith("_") ||
  name.startsWith("HEAP") ||
  name.startsWith("dynCall_");

describe("the Embind module's typing", () => {
  it("names exactly the module's exports and each class's methods", async () => {
    const module = (await loadRawModule()) as unknown as Record<
      string,
      unknown
    >;
    const actual = Object.fromEntries(
      Object.keys(module)
        .filter((name) => !isRuntime(name))
        .sort()
        .map((name) => {
          const value = module[name] as { prototype?: object } | undefined;
          const members = Object.getOwnPropertyNames(value?.prototype ?? {})
            .filter((member) => member !== "constructor")
            .sort();
          return [name, members];
        }),
    );
    const typed = Object.fromEntries(
      Object.entries(ENGINE_MODULE_EXPORTS)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, members]) => [name, [...members].sort()]),
    );
    expect(typed).toEqual(actual);
  });
});
