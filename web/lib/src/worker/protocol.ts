// Messages between a WorkerClient and serveRequests. Generic: a request names a method and
// carries its arguments; later features (calibration, training, benchmarks) add methods, not
// message types. Exactly one request runs in a worker at a time (the client queues the rest),
// so a cancelled request can be stopped by terminating the worker without losing others.
import type { SerializedError } from "../errors";

export interface Progress {
  /** Steps finished so far, out of total. */
  done: number;
  total: number;
  message?: string;
  /** The method's own progress record (training: a TrainProgress). */
  detail?: unknown;
}

export interface CallRequest {
  type: "call";
  id: number;
  method: string;
  args: unknown[];
}

export type Reply =
  | { type: "result"; id: number; result: unknown }
  | { type: "error"; id: number; error: SerializedError }
  | { type: "progress"; id: number; progress: Progress };

/** What a worker method is: a function of its arguments, possibly async. */
export type MethodMap = { [method: string]: (...args: never[]) => unknown };

/** What runs inside the worker for method K: the arguments as sent, plus a context. */
export interface HandlerContext {
  progress(progress: Progress): void;
}
export type Handlers<M extends MethodMap> = {
  [K in keyof M]: (
    args: Parameters<M[K]>,
    context: HandlerContext,
  ) => ReturnType<M[K]> | Promise<Awaited<ReturnType<M[K]>>>;
};

/** The part of a Worker, MessagePort or worker scope that the protocol uses. */
export interface MessageEndpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(
    type: "message",
    listener: (event: MessageEvent) => void,
  ): void;
  start?(): void;
}

/**
 * The ArrayBuffers under every typed array in value, to transfer rather than copy. Views that
 * cover only part of their buffer are left alone: transferring would detach memory the sender
 * still uses (such as a WebAssembly heap).
 */
export function transferablesOf(
  value: unknown,
  found = new Set<ArrayBuffer>(),
): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    const { buffer } = value;
    if (
      buffer instanceof ArrayBuffer &&
      value.byteOffset === 0 &&
      value.byteLength === buffer.byteLength
    ) {
      found.add(buffer);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) transferablesOf(item, found);
  } else if (value !== null && typeof value === "object") {
    for (const item of Object.values(value)) transferablesOf(item, found);
  }
  return [...found];
}
