// createQuantLab: the library's one entry point. The QuantLab object has one promise-returning
// function per method of methods.ts, run in a worker (default) or in this thread; the platform
// entry points (index.ts, index.node.ts) supply how a worker is started.
import { abortError, QuantLabError, toQuantLabError } from "../errors.js";
import type { EngineLoadOptions } from "../loader/load.js";
import {
  createWorkerClient,
  type CallOptions,
  type WorkerLike,
} from "../worker/client.js";
import type { Handle } from "./handles.js";
import type { MethodFunction, MethodOptions } from "./method.js";
import { methods, type Methods } from "./methods.js";
import type { WireMethods } from "./serve.js";
import { createSession, runMethod, type MethodName } from "./session.js";

/** Options of createQuantLab. */
export interface QuantLabOptions extends EngineLoadOptions {
  /**
   * Where the engine runs. `true` (default): its own module Worker in browsers, a
   * `worker_threads` Worker in Node. `false`: this thread (for tests and small jobs; long
   * calls block it). A function: starts a worker you created that runs `quantlab/worker`
   * (for bundlers that cannot follow `new Worker(new URL(...))`).
   */
  worker?: boolean | (() => WorkerLike);
}

/**
 * A QuantLab instance: every engine method as a promise. The last argument of each method is
 * optional: its own options plus `signal` (AbortSignal: rejects with an Aborted error and stops
 * the work at its next step; the instance and its handles stay usable), `onProgress` (typed
 * progress of long jobs) and `transfer` (buffers to move rather than copy to the worker).
 */
export type QuantLab = Omit<
  { [K in keyof Methods]: MethodFunction<Methods[K]> },
  "dispose"
> & {
  /** Frees the engine memory behind `handle`; the handle cannot be used afterwards. */
  dispose(
    handle: Handle,
    options?: MethodOptions<object, never>,
  ): Promise<void>;
  /**
   * Without a handle: shuts the instance down (terminates its worker, frees every handle);
   * later calls reject with a Disposed error.
   */
  dispose(): Promise<void>;
};

/** How a platform starts the default worker. */
export interface Platform {
  spawnWorker(): WorkerLike;
}

/**
 * Makes a QuantLab instance. By default its engine runs in its own worker (`worker: false`:
 * in this thread) and loads `quantlab-engine.wasm` from beside the library (`wasm`: elsewhere).
 */
export type CreateQuantLab = (options?: QuantLabOptions) => QuantLab;

/** createQuantLab for `platform`, for the entry points. */
export const quantLabFactory =
  (platform: Platform): CreateQuantLab =>
  (options) =>
    createQuantLabOn(platform, options);

/** What runs a method: in a worker or in this thread. */
type Runner = {
  call(
    name: MethodName,
    args: unknown[],
    own: object,
    options: CallOptions,
  ): Promise<unknown>;
  close(): void;
};

// URL objects do not survive structured clone, and a relative URL would be resolved against
// the worker script rather than the page: the worker gets absolute URL strings.
function forWorker(load: EngineLoadOptions): EngineLoadOptions {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  const absolute = <T>(location: T): T | string => {
    if (location instanceof URL) return location.href;
    if (typeof location === "string" && base !== undefined)
      return new URL(location, base).href;
    return location;
  };
  return {
    ...load,
    wasm: absolute(load.wasm),
    relaxedSimd: absolute(load.relaxedSimd),
  };
}

/** The handles a method's result holds: itself (loadModel, quantizeModel), or its `model` (train, qat). */
function handlesIn(result: unknown): Handle[] {
  const isHandle = (value: unknown): value is Handle =>
    typeof value === "object" &&
    value !== null &&
    ((value as Handle).kind === "model" ||
      (value as Handle).kind === "quantized-model") &&
    typeof (value as Handle).id === "string";
  if (isHandle(result)) return [result];
  const model = (result as { model?: unknown } | null)?.model;
  return isHandle(model) ? [model] : [];
}

function workerRunner(
  spawn: () => WorkerLike,
  load: EngineLoadOptions,
): Runner {
  const client = createWorkerClient<WireMethods>(spawn, {
    init: forWorker(load),
    // A handle made by a call whose caller aborted while its result was on its way back.
    onAbandoned: (result) => {
      for (const handle of handlesIn(result))
        // Rejects only if the worker died meanwhile, which took the handle with it.
        client.call("dispose", [[handle], {}]).catch(() => {});
    },
  });
  return {
    call: (name, args, own, options) => client.call(name, [args, own], options),
    close: () => client.terminate(),
  };
}

function inThreadRunner(load: EngineLoadOptions): Runner {
  const session = createSession(load);
  return {
    async call(name, args, own, { signal, onProgress }) {
      if (signal?.aborted) throw abortError(signal.reason);
      const aborted = () => signal?.aborted === true;
      return runMethod(session, name, args, own, {
        progress: (progress) => onProgress?.(progress),
        aborted,
        checkpoint: async () => {
          await new Promise((resolve) => setTimeout(resolve, 0));
          if (aborted()) throw abortError(signal?.reason);
        },
      });
    },
    close: () => session.dispose(),
  };
}

/** createQuantLab for `platform`. */
export function createQuantLabOn(
  platform: Platform,
  options: QuantLabOptions = {},
): QuantLab {
  const { worker = true, ...load } = options;
  const runner =
    worker === false
      ? inThreadRunner(load)
      : workerRunner(
          worker === true ? () => platform.spawnWorker() : worker,
          load,
        );
  let disposed = false;

  const invoke = (name: MethodName, given: unknown[]): Promise<unknown> => {
    if (disposed)
      return Promise.reject(
        new QuantLabError("Disposed", "this QuantLab instance was disposed"),
      );
    const { arity } = methods[name];
    const { signal, onProgress, transfer, ...own } = (given[arity] ??
      {}) as CallOptions & Record<string, unknown>;
    const callOptions: CallOptions = {};
    if (signal !== undefined) callOptions.signal = signal;
    if (onProgress !== undefined) callOptions.onProgress = onProgress;
    if (transfer !== undefined) callOptions.transfer = transfer;
    return runner
      .call(name, given.slice(0, arity), own, callOptions)
      .catch((error: unknown) => {
        throw toQuantLabError(error);
      });
  };

  const lab = Object.fromEntries(
    Object.keys(methods).map((name) => [
      name,
      (...given: unknown[]) => invoke(name as MethodName, given),
    ]),
  ) as unknown as QuantLab;
  lab.dispose = (async (...given: unknown[]) => {
    if (given.length > 0) return invoke("dispose", given);
    if (disposed) return;
    disposed = true;
    runner.close();
  }) as QuantLab["dispose"];
  return lab;
}
