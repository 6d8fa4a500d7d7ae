// The worker side of the protocol: runs each request's handler and replies with its result,
// its error or its progress. Results are transferred, so handlers return data they no longer need.
import { serializeError } from "../errors";
import {
  transferablesOf,
  type CallRequest,
  type Handlers,
  type MessageEndpoint,
  type MethodMap,
  type Reply,
} from "./protocol";

export function serveRequests<M extends MethodMap>(
  endpoint: MessageEndpoint,
  handlers: Handlers<M>,
): void {
  const reply = (message: Reply, transfer: Transferable[] = []) =>
    endpoint.postMessage(message, transfer);

  endpoint.addEventListener("message", (event: MessageEvent) => {
    const { id, method, args } = event.data as CallRequest;
    const run = async () => {
      if (!Object.hasOwn(handlers, method))
        throw new Error(`the worker has no method "${method}"`);
      const handler = handlers[method as keyof M]!;
      return handler(args as Parameters<M[keyof M]>, {
        progress: (progress) => reply({ type: "progress", id, progress }),
      });
    };
    run().then(
      (result) =>
        reply({ type: "result", id, result }, transferablesOf(result)),
      (error: unknown) =>
        reply({ type: "error", id, error: serializeError(error) }),
    );
  });
  endpoint.start?.();
}
