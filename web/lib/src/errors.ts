// The library's one error type and how errors cross the Worker boundary. Engine errors arrive
// as JS Errors named "InvalidArgument" (bad input) or "EngineError" (see
// engine/bindings/guard.h); toQuantLabError gives them a code and keeps the engine's message.

/** What went wrong, for code that reacts to errors (`switch (error.code)`). */
export type ErrorCode =
  /** Bad input from the caller (a value, a shape, an option); fix the input. */
  | "InvalidArgument"
  /** A model file (manifest or weights) the engine rejected. */
  | "InvalidModel"
  /** A quantization plan the engine rejected. */
  | "InvalidPlan"
  /** The engine ran out of WebAssembly memory; smaller inputs or models may still work. */
  | "OutOfMemory"
  /** The call's AbortSignal fired; the engine and its handles remain usable. */
  | "Aborted"
  /** The engine worker crashed or failed to start; it is restarted and old handles are gone. */
  | "WorkerDied"
  /** The .wasm could not be fetched, was not WebAssembly, or failed to compile. */
  | "WasmLoadFailed"
  /** The JavaScript engine lacks WebAssembly SIMD128, which the kernels need. */
  | "SimdUnsupported"
  /** The QuantLab instance was disposed. */
  | "Disposed"
  /** Anything else the engine reported (a bug or resource problem). */
  | "EngineError";

const CODES: ReadonlySet<string> = new Set<ErrorCode>([
  "InvalidArgument",
  "InvalidModel",
  "InvalidPlan",
  "OutOfMemory",
  "Aborted",
  "WorkerDied",
  "WasmLoadFailed",
  "SimdUnsupported",
  "Disposed",
  "EngineError",
]);

/** Every error the library rejects with. `name` equals `code`. */
export class QuantLabError extends Error {
  /** Machine-readable cause; the message is the engine's or the library's explanation. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = code;
  }
}

/** Bad input from the caller; the message names the problem. */
export function invalidArgument(message: string): QuantLabError {
  return new QuantLabError("InvalidArgument", message);
}

/** The rejection of a cancelled call. */
export function abortError(reason?: unknown): QuantLabError {
  const message =
    reason instanceof Error ? reason.message : "The operation was aborted";
  return new QuantLabError("Aborted", message, { cause: reason });
}

// Emscripten aborts with "Aborted(OOM)" or a RangeError when memory cannot grow; the engine's
// guard reports std::bad_alloc as an EngineError.
const OUT_OF_MEMORY =
  /bad_alloc|Aborted\(OOM\)|out of memory|Cannot enlarge memory/i;

/**
 * `error` as a QuantLabError: engine errors keep their message and get the code their name
 * says; `invalidInput` is the code bad input gets in this call (default InvalidArgument; model
 * loading passes InvalidModel).
 */
export function toQuantLabError(
  error: unknown,
  invalidInput: ErrorCode = "InvalidArgument",
): QuantLabError {
  if (error instanceof QuantLabError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : "";
  if (OUT_OF_MEMORY.test(message)) {
    return new QuantLabError(
      "OutOfMemory",
      `the engine ran out of WebAssembly memory (${message}); a larger maximumMemory or smaller inputs may help`,
      { cause: error },
    );
  }
  if (name === "InvalidArgument")
    return new QuantLabError(invalidInput, message, { cause: error });
  if (name === "AbortError")
    return new QuantLabError("Aborted", message, { cause: error });
  return new QuantLabError("EngineError", message, { cause: error });
}

/**
 * Whether `error` is a WebAssembly trap other than running out of memory (an out-of-bounds
 * access, `unreachable`, Emscripten's abort()): the engine's memory and stack may then be in
 * any state, so the engine must be replaced, not called again.
 */
export function isEngineTrap(error: unknown): boolean {
  return (
    error instanceof WebAssembly.RuntimeError &&
    !OUT_OF_MEMORY.test(error.message)
  );
}

/** The error of a call whose engine trapped (isEngineTrap) and was replaced. */
export function engineTrapError(error: Error): QuantLabError {
  return new QuantLabError(
    "WorkerDied",
    `the engine stopped with a WebAssembly trap (${error.message}); it was restarted, and handles it held are gone`,
    { cause: error },
  );
}

/** An error in a form structured clone keeps (it drops custom classes and names). */
export interface SerializedError {
  code: ErrorCode;
  message: string;
}

export function serializeError(error: unknown): SerializedError {
  const { code, message } = toQuantLabError(error);
  return { code, message };
}

export function deserializeError({
  code,
  message,
}: SerializedError): QuantLabError {
  return new QuantLabError(CODES.has(code) ? code : "EngineError", message);
}
