// Errors the library raises and how they cross the Worker boundary. Engine errors arrive as JS
// Errors named "InvalidArgument" (bad input) or "EngineError" (see engine/bindings/guard.h);
// the library's own input checks use the same "InvalidArgument" name.

/** Bad input from the caller; the message names the problem. */
export function invalidArgument(message: string): Error {
  const error = new Error(message);
  error.name = "InvalidArgument";
  return error;
}

/** The rejection of a cancelled request, like fetch's. */
export function abortError(reason?: unknown): Error {
  const message =
    reason instanceof Error ? reason.message : "The operation was aborted";
  return new DOMException(message, "AbortError");
}

/** An Error in a form structured clone keeps (it drops custom names on some engines). */
export interface SerializedError {
  name: string;
  message: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error)
    return { name: error.name, message: error.message };
  return { name: "Error", message: String(error) };
}

export function deserializeError({ name, message }: SerializedError): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
