// The engine objects one QuantLab instance holds (in its worker, or in this thread), behind
// handles: plain, cloneable records the caller passes back. An id is unique to its table, so
// a handle of a dead worker or another instance is refused instead of finding the wrong object.
import { invalidArgument } from "../errors.js";
import type { LanguageModelManifest } from "../models/language-model.js";
import type { ModelManifest } from "../models/model.js";
import type { Plan } from "../quantization/types.js";

/** A model loaded into the engine (loadModel, train). Pass it back to methods; free it with dispose. */
export interface ModelHandle {
  readonly kind: "model";
  /** Unique within the QuantLab instance (and its worker) that made it. */
  readonly id: string;
  /** The model's manifest.json: architecture, input, labels, recorded metrics. */
  readonly manifest: ModelManifest;
}

/** A quantized model (quantizeModel, loadQuantizedModel): evaluate, classify and save it like a model. */
export interface QuantizedModelHandle {
  readonly kind: "quantized-model";
  readonly id: string;
  /** The inference-form model's manifest, with its `quantization` (plan, calibration). */
  readonly manifest: ModelManifest;
  /** The plan it was quantized with, every field filled in. */
  readonly plan: Plan;
  /** Bytes of codes, scales, zero points and FP32 parameters (Eq. 10 of docs/quantization.md). */
  readonly weightBytes: number;
  readonly bitsPerWeight: number;
}

/** A transformer language model (loadLanguageModel): generate text and report under plans. */
export interface LanguageModelHandle {
  readonly kind: "language-model";
  readonly id: string;
  /** Its manifest.json: tokenizer, configuration, recorded metrics (test perplexity). */
  readonly manifest: LanguageModelManifest;
}

/** Every kind of handle. */
export type Handle = ModelHandle | QuantizedModelHandle | LanguageModelHandle;

/** An object that frees its engine memory on dispose() (a Model, ...). */
export interface Owned {
  dispose(): void;
}

/** What a handle of each kind stands for in the engine. */
export interface HandleTable {
  add<H extends Handle>(describe: (id: string) => H, value: Owned): H;
  /** The engine object of `handle`; InvalidArgument if it is unknown or disposed. */
  get<T extends Owned>(handle: Handle, kind: Handle["kind"]): T;
  /** Frees the engine object of `handle`. */
  delete(handle: Handle): void;
  /** Frees every engine object. */
  clear(): void;
  /** Forgets every handle without freeing it: its engine is gone (a trap). */
  forget(): void;
  /** Marks this moment: deleteSince(mark) frees the handles added after it. */
  mark(): number;
  /** Frees the handles added since `mark` (the results of a call its caller aborted). */
  deleteSince(mark: number): void;
  /** How many handles are live. */
  readonly size: number;
}

export function createHandleTable(): HandleTable {
  // Random per table: handles from an earlier (dead) worker never match this one's.
  const prefix = Math.random().toString(36).slice(2, 10);
  let next = 1;
  const entries = new Map<
    string,
    { kind: string; value: Owned; serial: number }
  >();
  const entry = (handle: Handle) => {
    const found =
      typeof handle?.id === "string" ? entries.get(handle.id) : undefined;
    if (found === undefined) {
      throw invalidArgument(
        `unknown ${handle?.kind ?? "handle"} ${String(handle?.id)}: disposed, or made by another QuantLab instance or a worker that has died`,
      );
    }
    return found;
  };
  return {
    add(describe, value) {
      const serial = next++;
      const handle = describe(`${prefix}-${serial}`);
      entries.set(handle.id, { kind: handle.kind, value, serial });
      return handle;
    },
    get<T extends Owned>(handle: Handle, kind: Handle["kind"]): T {
      const found = entry(handle);
      if (found.kind !== kind)
        throw invalidArgument(
          `expected a ${kind} handle, got a ${found.kind} handle`,
        );
      return found.value as T;
    },
    delete(handle) {
      entry(handle).value.dispose();
      entries.delete(handle.id);
    },
    clear() {
      for (const { value } of entries.values()) value.dispose();
      entries.clear();
    },
    forget: () => entries.clear(),
    mark: () => next,
    deleteSince(mark) {
      for (const [id, { value, serial }] of entries) {
        if (serial < mark) continue;
        value.dispose();
        entries.delete(id);
      }
    },
    get size() {
      return entries.size;
    },
  };
}
