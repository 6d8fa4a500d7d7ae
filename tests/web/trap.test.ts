// A WebAssembly trap in the engine (an out-of-bounds access, `unreachable`, abort()) may leave
// its memory in any state: the call rejects with WorkerDied, the session drops that engine and
// its handles, and the next call runs on a fresh one. The trap here is a real one, raised by a
// one-instruction wasm module standing in for an engine entry point.
import { describe, expect, it } from "vitest";
import { createSession, runMethod } from "../../web/lib/src/api/session";
import type { ModelHandle } from "../../web/lib/src/api/handles";
import { readRepoFile as read } from "./fixtures";

// (module (func (export "trap") unreachable))
const trapModule = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00,
  0x00, 0x03, 0x02, 0x01, 0x00, 0x07, 0x08, 0x01, 0x04, 0x74, 0x72, 0x61, 0x70,
  0x00, 0x00, 0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b,
]);
const trap = new WebAssembly.Instance(new WebAssembly.Module(trapModule))
  .exports.trap as () => never;

const context = {
  progress: () => {},
  aborted: () => false,
  checkpoint: async () => {},
};

describe("an engine that traps", () => {
  it("rejects with WorkerDied, drops its handles, and the next call gets a new engine", async () => {
    const session = createSession();
    const call = (name: Parameters<typeof runMethod>[1], args: unknown[]) =>
      runMethod(session, name, args, {}, context);
    const model = (await call("loadModel", [
      {
        manifest: read("models/mnist-mlp/manifest.json"),
        weights: read("models/mnist-mlp/model.safetensors"),
      },
    ])) as ModelHandle;
    const { engine } = await session.engine();
    expect(() => trap()).toThrow(WebAssembly.RuntimeError);
    engine.planPresets = trap;

    await expect(call("planPresets", [])).rejects.toMatchObject({
      code: "WorkerDied",
      message: expect.stringContaining(
        "the engine stopped with a WebAssembly trap (unreachable",
      ),
    });
    expect(session.handles.size).toBe(0);
    await expect(
      call("classify", [model, new Uint8Array(784)]),
    ).rejects.toMatchObject({
      code: "InvalidArgument",
      message: expect.stringContaining("a worker that has died"),
    });
    expect((await session.engine()).engine).not.toBe(engine);
    expect(await call("planPresets", [])).toContain("int8");
  });
});
