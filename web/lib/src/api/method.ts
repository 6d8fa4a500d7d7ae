// How a QuantLab method is declared once and becomes both a worker handler and a typed,
// promise-returning function of the QuantLab object (quantlab.ts). A method receives its
// context (the engine, the handles, progress, abort checks) and the caller's arguments; its
// own options, if any, are its last argument and travel together with the call options.
import type { RawEngineModule } from "../engine-module.js";
import type { Engine } from "../engine.js";
import type { CallOptions } from "../worker/client.js";
import type { HandlerContext } from "../worker/protocol.js";
import type { HandleTable } from "./handles.js";

/** What a method runs with: one QuantLab instance's engine and handles, in its thread. */
export interface MethodContext<Detail = never> extends HandlerContext<Detail> {
  /** The Embind module (engine/bindings). */
  engine: RawEngineModule;
  /** The typed tensor functions over `engine`. */
  tensors: Engine;
  handles: HandleTable;
}

/** A declared method: `arity` positional arguments, then its options (`Options`). */
export interface Method<
  Args extends unknown[],
  Options extends object,
  Result,
  Detail,
> {
  readonly arity: number;
  run(
    context: MethodContext<Detail>,
    args: Args,
    options: Partial<Options>,
  ): Result | Promise<Result>;
}

/**
 * Declares a method. `arity` is the number of positional arguments, checked against `run`'s
 * `args` tuple (which must not have optional elements: optional things go in `options`).
 */
export function method<
  Args extends unknown[],
  Result,
  Options extends object = Record<never, never>,
  Detail = never,
>(
  arity: NoInfer<Args["length"]>,
  run: (
    context: MethodContext<Detail>,
    args: Args,
    options: Partial<Options>,
  ) => Result | Promise<Result>,
): Method<Args, Options, Result, Detail> {
  return { arity, run };
}

/** The options a caller passes to a method: its own plus signal, progress and transfer. */
export type MethodOptions<Options, Detail> = Partial<Options> &
  CallOptions<Detail>;

/** The caller's face of a declared method. */
export type MethodFunction<M> =
  M extends Method<infer Args, infer Options, infer Result, infer Detail>
    ? (
        ...args: [...Args, options?: MethodOptions<Options, Detail>]
      ) => Promise<Result>
    : never;
