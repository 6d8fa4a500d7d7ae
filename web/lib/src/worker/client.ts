// The page side of the protocol: one promise per request, progress callbacks and AbortSignal
// cancellation. Requests run one at a time. Cancelling a queued request just drops it;
// cancelling the running one terminates the worker (engine calls cannot be interrupted from
// outside) and the next request starts a fresh worker.
import { abortError, deserializeError } from "../errors";
import type {
  CallRequest,
  MessageEndpoint,
  MethodMap,
  Progress,
  Reply,
} from "./protocol";

/** A Worker, or anything that behaves like one (tests use a MessagePort pair). */
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
}

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Buffers among the arguments to move to the worker instead of copying (they become unusable here). */
  transfer?: Transferable[];
}

export interface WorkerClient<M extends MethodMap> {
  call<K extends keyof M & string>(
    method: K,
    args: Parameters<M[K]>,
    options?: CallOptions,
  ): Promise<Awaited<ReturnType<M[K]>>>;
  /** Stops the worker; pending calls reject. A later call starts a new worker. */
  terminate(): void;
}

interface Job {
  request: CallRequest;
  options: CallOptions;
  resolve(result: unknown): void;
  reject(error: unknown): void;
  onAbort(): void;
}

export function createWorkerClient<M extends MethodMap>(
  spawn: () => WorkerLike,
): WorkerClient<M> {
  let worker: WorkerLike | undefined;
  let running: Job | undefined;
  const queue: Job[] = [];
  let nextId = 1;

  const stopWorker = () => {
    worker?.terminate();
    worker = undefined;
  };

  const finish = (job: Job) => {
    job.options.signal?.removeEventListener("abort", job.onAbort);
    if (running === job) running = undefined;
    pump();
  };

  const onReply = (reply: Reply) => {
    const job = running;
    if (job === undefined || reply.id !== job.request.id) return; // reply of a cancelled request
    if (reply.type === "progress") {
      job.options.onProgress?.(reply.progress);
    } else if (reply.type === "result") {
      finish(job);
      job.resolve(reply.result);
    } else {
      finish(job);
      job.reject(deserializeError(reply.error));
    }
  };

  // A worker that fails outside a request (script failed to load, uncaught error) is replaced.
  const onWorkerError = (event: ErrorEvent | Event) => {
    const job = running;
    stopWorker();
    const message =
      (event as Partial<ErrorEvent>).message || "the engine worker failed";
    if (job !== undefined) {
      finish(job);
      job.reject(new Error(message));
    }
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
    return spawned;
  };

  const pump = () => {
    if (running !== undefined) return;
    const job = queue.shift();
    if (job === undefined) return;
    running = job;
    worker ??= startWorker();
    worker.postMessage(job.request, job.options.transfer ?? []);
  };

  const cancel = (job: Job) => {
    const queued = queue.indexOf(job);
    if (queued >= 0) {
      queue.splice(queued, 1);
    } else if (running === job) {
      stopWorker();
    } else {
      return; // already settled
    }
    finish(job);
    job.reject(abortError(job.options.signal?.reason));
  };

  return {
    call(method, args, options = {}) {
      return new Promise((resolve, reject) => {
        if (options.signal?.aborted) {
          reject(abortError(options.signal.reason));
          return;
        }
        const job: Job = {
          request: { type: "call", id: nextId++, method, args },
          options,
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
      const pending =
        running === undefined ? queue.splice(0) : [running, ...queue.splice(0)];
      running = undefined;
      for (const job of pending) {
        job.options.signal?.removeEventListener("abort", job.onAbort);
        job.reject(new Error("the engine worker was terminated"));
      }
    },
  };
}
