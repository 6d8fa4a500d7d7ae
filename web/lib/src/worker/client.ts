// The caller's side of the protocol: one promise per request, progress callbacks and
// AbortSignal cancellation. Requests run one at a time. Cancelling a queued request drops it;
// cancelling the running one rejects at once with an Aborted error and asks the handler to stop
// at its next step (the worker and its state stay usable). A worker that dies rejects what it
// was given with WorkerDied; the next request starts a new one.
import { abortError, deserializeError, QuantLabError } from "../errors.js";
import type {
  CallRequest,
  MessageEndpoint,
  MethodMap,
  Progress,
  Reply,
} from "./protocol.js";

/** A Worker, a Node worker_threads adapter, or anything that behaves like one (tests use a MessagePort pair). */
export interface WorkerLike extends MessageEndpoint {
  addEventListener(
    type: "message",
    listener: (event: MessageEvent) => void,
  ): void;
  addEventListener(
    type: "error",
    listener: (event: ErrorEvent | Event) => void,
  ): void;
  terminate(): void;
  /** Node: let the process exit while the worker is idle (unref) or not (ref). */
  ref?(): void;
  unref?(): void;
}

/** Per-call options. */
export interface CallOptions<Detail = unknown> {
  /** Aborting rejects the call with an Aborted QuantLabError and stops the work at its next step. */
  signal?: AbortSignal;
  /** Called as the work advances (long jobs: after every batch). */
  onProgress?: (progress: Progress<Detail>) => void;
  /** Buffers among the arguments to move to the worker instead of copying (they become unusable here). */
  transfer?: Transferable[];
}

/** Options of createWorkerClient. */
export interface WorkerClientOptions {
  /** Sent to every new worker before its first request (serveRequests' onInit). Default: nothing. */
  init?: unknown;
  /**
   * What aborting the running request does: "signal" (default) asks its handler to stop;
   * "terminate" ends the worker at once (for handlers that never check), losing its state.
   */
  abort?: "signal" | "terminate";
  /**
   * Receives the result of a call that completed after its caller aborted (it was in flight when
   * the abort came): the caller never sees it, so anything it owns in the worker must be freed.
   */
  onAbandoned?: (result: unknown) => void;
}

/** Calls the methods M of a worker, one at a time. */
export interface WorkerClient<M extends MethodMap> {
  call<K extends keyof M & string>(
    method: K,
    args: Parameters<M[K]>,
    options?: CallOptions,
  ): Promise<Awaited<ReturnType<M[K]>>>;
  /** Stops the worker; pending calls reject with WorkerDied. A later call starts a new worker. */
  terminate(): void;
}

interface Job {
  request: CallRequest;
  options: CallOptions;
  /** Settled early by an abort; the worker's reply is then ignored. */
  settled: boolean;
  resolve(result: unknown): void;
  reject(error: unknown): void;
  onAbort(): void;
}

// Shared memory reaches a worker busy in engine code; pages get it only when cross-origin isolated.
function newAbortFlag(): Int32Array | undefined {
  const isolated =
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !==
    false;
  return typeof SharedArrayBuffer === "function" && isolated
    ? new Int32Array(new SharedArrayBuffer(4))
    : undefined;
}

/** A client for the worker `spawn` starts (again after it dies). */
export function createWorkerClient<M extends MethodMap>(
  spawn: () => WorkerLike,
  clientOptions: WorkerClientOptions = {},
): WorkerClient<M> {
  let worker: WorkerLike | undefined;
  let running: Job | undefined;
  const queue: Job[] = [];
  let nextId = 1;

  const stopWorker = () => {
    worker?.terminate();
    worker = undefined;
  };

  const settle = (job: Job) => {
    job.options.signal?.removeEventListener("abort", job.onAbort);
    job.settled = true;
  };

  const finish = (job: Job) => {
    settle(job);
    if (running === job) running = undefined;
    pump();
  };

  const onReply = (reply: Reply) => {
    const job = running;
    if (job === undefined || reply.id !== job.request.id) return;
    if (reply.type === "progress") {
      if (!job.settled) job.options.onProgress?.(reply.progress);
      return;
    }
    const settled = job.settled;
    finish(job);
    if (settled) {
      // Aborted: the caller already has its rejection.
      if (reply.type === "result") clientOptions.onAbandoned?.(reply.result);
      return;
    }
    if (reply.type === "result") job.resolve(reply.result);
    else job.reject(deserializeError(reply.error));
  };

  const rejectAll = (error: QuantLabError) => {
    const pending = [
      ...(running === undefined ? [] : [running]),
      ...queue.splice(0),
    ];
    running = undefined;
    for (const job of pending) {
      const settled = job.settled;
      settle(job);
      if (!settled) job.reject(error);
    }
  };

  // A worker that fails outside a request (script failed to load, crash, out of memory) is replaced.
  const onWorkerError = (event: ErrorEvent | Event) => {
    stopWorker();
    const message =
      (event as Partial<ErrorEvent>).message || "the engine worker died";
    rejectAll(
      new QuantLabError(
        "WorkerDied",
        `${message}; it will be restarted, and handles it held are gone`,
      ),
    );
  };

  const startWorker = (): WorkerLike => {
    const spawned = spawn();
    spawned.addEventListener("message", (event: MessageEvent) => {
      if (worker === spawned) onReply(event.data as Reply);
    });
    spawned.addEventListener("error", (event) => {
      if (worker === spawned) onWorkerError(event);
    });
    spawned.start?.();
    if (clientOptions.init !== undefined)
      spawned.postMessage({ type: "init", data: clientOptions.init });
    return spawned;
  };

  const pump = () => {
    if (running !== undefined) {
      worker?.ref?.();
      return;
    }
    const job = queue.shift();
    if (job === undefined) {
      worker?.unref?.();
      return;
    }
    running = job;
    worker ??= startWorker();
    worker.ref?.();
    worker.postMessage(job.request, job.options.transfer ?? []);
  };

  const cancel = (job: Job) => {
    if (job.settled) return;
    const queued = queue.indexOf(job);
    if (queued >= 0) {
      queue.splice(queued, 1);
      finish(job);
    } else if (clientOptions.abort === "terminate") {
      stopWorker();
      finish(job);
    } else {
      // Stays `running` until the worker replies, so the next request waits for the worker.
      if (job.request.abortFlag) Atomics.store(job.request.abortFlag, 0, 1);
      worker?.postMessage({ type: "abort", id: job.request.id });
      settle(job);
    }
    job.reject(abortError(job.options.signal?.reason));
  };

  return {
    call(method, args, options = {}) {
      return new Promise((resolve, reject) => {
        if (options.signal?.aborted) {
          reject(abortError(options.signal.reason));
          return;
        }
        const request: CallRequest = {
          type: "call",
          id: nextId++,
          method,
          args,
        };
        const abortFlag = newAbortFlag();
        if (abortFlag !== undefined) request.abortFlag = abortFlag;
        const job: Job = {
          request,
          options,
          settled: false,
          resolve: resolve as (result: unknown) => void,
          reject,
          onAbort: () => cancel(job),
        };
        options.signal?.addEventListener("abort", job.onAbort, { once: true });
        queue.push(job);
        pump();
      });
    },
    terminate() {
      stopWorker();
      rejectAll(
        new QuantLabError("WorkerDied", "the engine worker was terminated"),
      );
    },
  };
}
