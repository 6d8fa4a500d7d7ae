// Several schemes applied to the same data, for tables that put bits per weight next to error.
import type { Engine } from "./engine.js";
import type { Progress } from "./worker/protocol.js";
import type {
  ErrorStats,
  FloatInput,
  QuantSchemeOptions,
  Shape,
  StorageBits,
} from "./types.js";

export type SchemeComparison =
  | {
      scheme: QuantSchemeOptions;
      name: string;
      error: ErrorStats;
      storage: StorageBits;
    }
  /** The scheme cannot quantize this shape; `problem` is the engine's message. */
  | { scheme: QuantSchemeOptions; name: string; problem: string };

export function compareSchemes(
  engine: Engine,
  values: FloatInput,
  shape: Shape,
  schemes: readonly QuantSchemeOptions[],
  onProgress?: (progress: Progress<never>) => void,
): SchemeComparison[] {
  const data =
    values instanceof Float32Array ? values : Float32Array.from(values);
  return schemes.map((scheme, i) => {
    const name = engine.schemeName(scheme);
    let comparison: SchemeComparison;
    try {
      const { error, storage } = engine.roundTrip(data, shape, scheme);
      comparison = { scheme, name, error, storage };
    } catch (error) {
      if (!(error instanceof Error) || error.name !== "InvalidArgument")
        throw error;
      comparison = { scheme, name, problem: error.message };
    }
    onProgress?.({ done: i + 1, total: schemes.length, message: name });
    return comparison;
  });
}
