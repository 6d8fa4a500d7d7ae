// The app shell's words for the library's errors (web/app/src/shell/lab.ts), which its Job
// runner shows: a worker that died says what happened and what to do.
import { describe, expect, it } from "vitest";
import { QuantLabError } from "quantlab";
import { isWorkerDeath, plainError } from "../../web/app/src/shell/lab";

describe("the app's error messages", () => {
  it("tell the user the engine restarted and to run again", () => {
    const died = new QuantLabError(
      "WorkerDied",
      "the engine stopped with a WebAssembly trap (unreachable); it was restarted, and handles it held are gone",
    );
    expect(isWorkerDeath(died)).toBe(true);
    expect(plainError(died)).toMatch(
      /^The engine stopped and was restarted; run it again \(a model from your own files needs loading again\)\. \(the engine stopped with a WebAssembly trap/,
    );
    const memory = new QuantLabError("OutOfMemory", "std::bad_alloc");
    expect(isWorkerDeath(memory)).toBe(false);
    expect(plainError(memory)).toBe(
      "The engine ran out of memory: std::bad_alloc",
    );
  });
});
