// The worker side of a QuantLab instance: a session per worker, configured by the client's
// init message (where to load the engine from), serving every method of methods.ts.
import type { EngineLoadOptions } from "../loader/load.js";
import type {
  HandlerContext,
  Handlers,
  MessageEndpoint,
} from "../worker/protocol.js";
import { serveRequests } from "../worker/server.js";
import { methods } from "./methods.js";
import {
  createSession,
  runMethod,
  type MethodName,
  type Session,
} from "./session.js";

/** The protocol's view of the methods: each takes [positional args, own options]. */
export type WireMethods = {
  [K in MethodName]: (args: unknown[], options: object) => unknown;
};

/** Serves QuantLab's methods at `endpoint` (a worker's global scope or parentPort adapter). */
export function serveQuantLab(endpoint: MessageEndpoint): void {
  let session: Session = createSession();
  const handlers = Object.fromEntries(
    Object.keys(methods).map((name) => [
      name,
      ([args, options]: [unknown[], object], context: HandlerContext) =>
        runMethod(session, name as MethodName, args, options, context),
    ]),
  ) as unknown as Handlers<WireMethods>;
  serveRequests(endpoint, handlers, {
    onInit: (load) => {
      session = createSession(load as EngineLoadOptions);
    },
  });
}
