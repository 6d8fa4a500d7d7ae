// Messages between a WorkerClient and serveRequests. Generic: a request names a method and
// carries its arguments; later features add methods, not message types. Exactly one request
// runs in a worker at a time (the client queues the rest). Cancelling is cooperative: the
// client raises the request's abort flag and the handler checks it between steps.
import type { SerializedError } from "../errors.js";

/** How far a call has got, reported to its onProgress. */
export interface Progress<Detail = unknown> {
  /** Steps finished so far, out of total. `Detail` is the method's own record of the step. */
  done: number;
  total: number;
  message?: string;
  /** The method's own progress record (training: a TrainProgress). */
  detail?: Detail;
}

/** Runs `method` with `args`; answered by Replies with the same id. */
export interface CallRequest {
  type: "call";
  id: number;
  method: string;
  args: unknown[];
  /**
   * Element 0 becomes non-zero when the caller aborts. Shared memory (where the page may use
   * it: Node, cross-origin isolated pages) reaches a handler even while engine code runs;
   * elsewhere the AbortMessage arrives when the handler next yields (HandlerContext.checkpoint).
   */
  abortFlag?: Int32Array;
}

/** The caller aborted request `id`. */
export interface AbortMessage {
  type: "abort";
  id: number;
}

/** Sent once to every new worker before its first call (e.g. where to load the engine from). */
export interface InitMessage {
  type: "init";
  data: unknown;
}

/** What a client sends to a worker. */
export type Request = CallRequest | AbortMessage | InitMessage;

/** What a worker sends back for a request: progress (any number), then a result or an error. */
export type Reply =
  | { type: "result"; id: number; result: unknown }
  | { type: "error"; id: number; error: SerializedError }
  | { type: "progress"; id: number; progress: Progress };

/** What a worker method is: a function of its arguments, possibly async. */
export type MethodMap = { [method: string]: (...args: never[]) => unknown };

/** What runs inside the worker for method K: the arguments as sent, plus a context. */
export interface HandlerContext<Detail = unknown> {
  progress(progress: Progress<Detail>): void;
  /** True once the caller aborted this request. */
  aborted(): boolean;
  /** Lets pending messages in (an abort) and throws an Aborted error if the caller aborted. */
  checkpoint(): Promise<void>;
}
/** The worker-side implementation of each method of M. */
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
