// The state of one QuantLab instance in the thread that owns its engine (its worker, or the
// caller's thread in-thread mode): the engine module, loaded on first use, and the handles.
// runMethod is the one way a method is run, whichever side calls it.
import type { RawEngineModule } from "../engine-module.js";
import { createEngine, type Engine } from "../engine.js";
import {
  abortError,
  engineTrapError,
  isEngineTrap,
  toQuantLabError,
} from "../errors.js";
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
  /** Drops the engine module and forgets every handle (after a trap): the next call loads a new one. */
  restart(): void;
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
    restart() {
      handles.forget();
      loading = undefined;
    },
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
    const mark = session.handles.mark();
    const result = await declared.run(context, args, options);
    // The caller aborted while the engine finished anyway: it has its rejection already and
    // will never see this result, so what the call made must not stay behind in the table.
    if (base.aborted()) {
      session.handles.deleteSince(mark);
      throw abortError();
    }
    return result;
  } catch (error) {
    if (isEngineTrap(error)) {
      // In a worker this replaces the worker's engine, which is what restarting it would do.
      session.restart();
      throw engineTrapError(error as Error);
    }
    throw toQuantLabError(error);
  }
}
