// The worker side of the protocol: runs each request's handler and replies with its result,
// its error or its progress. Results are transferred, so handlers return data they no longer need.
import { abortError, serializeError } from "../errors.js";
import {
  transferablesOf,
  type HandlerContext,
  type Handlers,
  type MessageEndpoint,
  type MethodMap,
  type Reply,
  type Request,
} from "./protocol.js";

/** Options of serveRequests. */
export interface ServeOptions {
  /** Receives the client's init data (WorkerClientOptions.init) before the first call. */
  onInit?: (data: unknown) => void;
}

/** Answers the requests of a WorkerClient arriving at `endpoint` with `handlers`. */
export function serveRequests<M extends MethodMap>(
  endpoint: MessageEndpoint,
  handlers: Handlers<M>,
  options: ServeOptions = {},
): void {
  const reply = (message: Reply, transfer: Transferable[] = []) =>
    endpoint.postMessage(message, transfer);
  const abortedIds = new Set<number>();

  endpoint.addEventListener("message", (event: MessageEvent) => {
    const request = event.data as Request;
    if (request.type === "init") return options.onInit?.(request.data);
    if (request.type === "abort") return void abortedIds.add(request.id);
    const { id, method, args, abortFlag } = request;
    const aborted = () =>
      abortedIds.has(id) ||
      (abortFlag !== undefined && Atomics.load(abortFlag, 0) !== 0);
    const context: HandlerContext = {
      progress: (progress) => reply({ type: "progress", id, progress }),
      aborted,
      checkpoint: async () => {
        // A macrotask: message events (an abort) queued meanwhile are dispatched first.
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (aborted()) throw abortError();
      },
    };
    const run = async () => {
      if (!Object.hasOwn(handlers, method))
        throw new Error(`the worker has no method "${method}"`);
      const handler = handlers[method as keyof M]!;
      return handler(args as Parameters<M[keyof M]>, context);
    };
    run()
      .then(
        (result) =>
          reply({ type: "result", id, result }, transferablesOf(result)),
        (error: unknown) =>
          reply({ type: "error", id, error: serializeError(error) }),
      )
      .finally(() => abortedIds.delete(id));
  });
  endpoint.start?.();
}
