// The state of one QuantLab instance in the thread that owns its engine (its worker, or the
// caller's thread in-thread mode): the engine module, loaded on first use, and the handles.
// runMethod is the one way a method is run, whichever side calls it.
import type { RawEngineModule } from "../engine-module.js";
import { createEngine, type Engine } from "../engine.js";
import { toQuantLabError } from "../errors.js";
import {
  instantiateEngineModule,
  type EngineLoadOptions,
} from "../loader/load.js";
import type { HandlerContext } from "../worker/protocol.js";
import { createHandleTable, type HandleTable } from "./handles.js";
import type { MethodContext } from "./method.js";
import { methods, type Methods } from "./methods.js";

export interface Session {
  readonly handles: HandleTable;
  engine(): Promise<{ engine: RawEngineModule; tensors: Engine }>;
  /** Frees every handle; the engine module is dropped with the session. */
  dispose(): void;
}

export function createSession(load: EngineLoadOptions = {}): Session {
  let loading:
    Promise<{ engine: RawEngineModule; tensors: Engine }> | undefined;
  const handles = createHandleTable();
  return {
    handles,
    engine() {
      loading ??= instantiateEngineModule(load).then(
        (engine) => ({ engine, tensors: createEngine(engine) }),
        (error: unknown) => {
          loading = undefined; // a later call may retry (e.g. after a network error)
          throw error;
        },
      );
      return loading;
    },
    dispose: () => handles.clear(),
  };
}

/** A method's name. */
export type MethodName = keyof Methods;

/** Runs method `name` of `session`; whatever it throws becomes a QuantLabError. */
export async function runMethod(
  session: Session,
  name: MethodName,
  args: unknown[],
  options: object,
  base: HandlerContext,
): Promise<unknown> {
  try {
    const declared = methods[name] as unknown as {
      run(
        context: MethodContext<unknown>,
        args: unknown[],
        options: object,
      ): unknown;
    };
    if (declared === undefined || !Object.hasOwn(methods, name))
      throw new Error(`QuantLab has no method "${String(name)}"`);
    const context: MethodContext<unknown> = {
      ...base,
      ...(await session.engine()),
      handles: session.handles,
    };
    return await declared.run(context, args, options);
  } catch (error) {
    throw toQuantLabError(error);
  }
}
