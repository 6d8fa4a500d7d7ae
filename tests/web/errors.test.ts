// How engine errors become QuantLabErrors, and how they survive the trip from a worker.
import { describe, expect, it } from "vitest";
import {
  deserializeError,
  QuantLabError,
  serializeError,
  toQuantLabError,
} from "../../web/lib/src/errors";

const engineError = (name: string, message: string) =>
  Object.assign(new Error(message), { name });

describe("toQuantLabError", () => {
  it.each([
    [engineError("InvalidArgument", "bits must be 4 or 8"), "InvalidArgument"],
    [engineError("EngineError", "std::bad_alloc"), "OutOfMemory"],
    [new WebAssembly.RuntimeError("Aborted(OOM)"), "OutOfMemory"],
    [
      new RangeError(
        "WebAssembly.Memory.grow(): Maximum memory size exceeded; out of memory",
      ),
      "OutOfMemory",
    ],
    [engineError("EngineError", "unexpected layer kind"), "EngineError"],
    [new DOMException("stop", "AbortError"), "Aborted"],
    ["a string", "EngineError"],
  ])("gives %s the code %s, keeping the message", (error, code) => {
    const converted = toQuantLabError(error);
    expect(converted).toBeInstanceOf(QuantLabError);
    expect(converted).toMatchObject({ code, name: code });
    expect(converted.message).toContain(
      error instanceof Error ? error.message : String(error),
    );
  });

  it("gives bad input the caller's code (InvalidModel while loading a model)", () => {
    const error = engineError(
      "InvalidArgument",
      "manifest.json has no 'format'",
    );
    expect(toQuantLabError(error, "InvalidModel").code).toBe("InvalidModel");
  });

  it("survives structured clone as code and message", () => {
    const sent = structuredClone(
      serializeError(new QuantLabError("InvalidPlan", "layer fc1: 3 bits")),
    );
    const received = deserializeError(sent);
    expect(received).toBeInstanceOf(QuantLabError);
    expect(received).toMatchObject({
      code: "InvalidPlan",
      message: "layer fc1: 3 bits",
    });
  });
});
