// The typed quantization API against the real engine: every scheme through the binding, the
// error bound of round-to-nearest, storage accounting and the error messages callers see.
// The engine's own tests check the numerics in depth; these check the boundary.
import { beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../web/lib/src/engine";
import {
  gridLevels,
  loadRawModule,
  type QuantSchemeOptions,
} from "../../web/lib/src/index";
import { normalValues } from "./fixtures";

let engine: Engine;
beforeAll(async () => {
  engine = createEngine(await loadRawModule());
});

// 8 rows of K = 100: not a multiple of any group size, so every row ends in a short group.
const shape = [8, 100];
const values = normalValues(800, 7);

const schemes: QuantSchemeOptions[] = [8, 4].flatMap((bits) =>
  [true, false].flatMap((symmetric) => [
    { bits, symmetric, granularity: "per_tensor" },
    { bits, symmetric, granularity: "per_channel" },
    ...[32, 64, 128].map((groupSize) => ({
      bits,
      symmetric,
      granularity: "per_group",
      groupSize,
    })),
  ]),
) as QuantSchemeOptions[];

describe("the typed engine", () => {
  it("loads the raw module once per thread", async () => {
    expect(await loadRawModule()).toBe(await loadRawModule());
  });

  it("fills omitted scheme options with the engine defaults", () => {
    const quantized = engine.quantize(values, shape, { bits: 8 });
    expect(quantized.scheme).toEqual({ ...engine.defaultScheme, bits: 8 });
  });
});

describe.each(schemes)("round trip %o", (scheme) => {
  const result = () => engine.roundTrip(values, shape, scheme);

  it("keeps every value within half a step of its scale", () => {
    const { quantized, restored } = result();
    const param = engine.paramIndices(quantized);
    for (let i = 0; i < values.length; i++) {
      const scale = quantized.scales[param[i]!]!;
      // Min-max ranges contain every value, so only rounding error remains (plus float32 ulps).
      expect(Math.abs(values[i]! - restored[i]!)).toBeLessThanOrEqual(
        scale / 2 + 1e-6 * Math.abs(values[i]!),
      );
    }
  });

  it("restores only values on the quantization grid of their group", () => {
    const { quantized, restored } = result();
    const param = engine.paramIndices(quantized);
    const range = engine.intRange(
      quantized.scheme.bits,
      quantized.scheme.symmetric,
    );
    for (let i = 0; i < values.length; i += 13) {
      const p = param[i]!;
      const levels = gridLevels(
        range,
        quantized.scales[p]!,
        quantized.zeroPoints[p]!,
      );
      const nearest = Math.min(
        ...Array.from(levels, (level) => Math.abs(level - restored[i]!)),
      );
      expect(nearest).toBeLessThanOrEqual(
        1e-6 * Math.max(1, Math.abs(restored[i]!)),
      );
    }
  });

  it("gives the same result through quantize, dequantize and errorStats", () => {
    const { quantized, restored, error, storage } = result();
    expect(engine.quantize(values, shape, scheme)).toEqual(quantized);
    expect(engine.dequantize(quantized)).toEqual(restored);
    expect(engine.errorStats(values, restored)).toEqual(error);
    expect(engine.storageBits(quantized)).toEqual(storage);
    expect(engine.bitsPerWeight(quantized)).toBe(storage.bitsPerWeight);
  });
});

describe("error and size trade-off", () => {
  it.each(["per_tensor", "per_channel", "per_group"] as const)(
    "INT8 has a higher SQNR than INT4 on the same data (%s)",
    (granularity) => {
      for (const symmetric of [true, false]) {
        const int8 = engine.roundTrip(values, shape, {
          bits: 8,
          symmetric,
          granularity,
        }).error;
        const int4 = engine.roundTrip(values, shape, {
          bits: 4,
          symmetric,
          granularity,
        }).error;
        expect(int8.sqnrDb).toBeGreaterThan(int4.sqnrDb);
        expect(int8.mse).toBeLessThan(int4.mse);
      }
    },
  );

  it("counts scales and zero points in bits per weight", () => {
    const k64 = normalValues(4 * 64, 3);
    const bpw = (scheme: QuantSchemeOptions) =>
      engine.bitsPerWeight(engine.quantize(k64, [4, 64], scheme));
    // 4 bits per value + one 32-bit scale per 32 values.
    expect(
      bpw({
        bits: 4,
        symmetric: true,
        granularity: "per_group",
        groupSize: 32,
      }),
    ).toBe(5);
    // ... + one 4-bit zero point per 32 values.
    expect(
      bpw({
        bits: 4,
        symmetric: false,
        granularity: "per_group",
        groupSize: 32,
      }),
    ).toBe(4 + 36 / 32);
    // 8 bits per value + one scale per row of 64.
    expect(bpw({ bits: 8, symmetric: true, granularity: "per_channel" })).toBe(
      8 + 32 / 64,
    );
    // 8 bits per value + one scale and one 8-bit zero point for all 256.
    expect(bpw({ bits: 8, symmetric: false, granularity: "per_tensor" })).toBe(
      8 + 40 / 256,
    );
  });

  it("pads each INT4 row of odd length to a whole byte", () => {
    const quantized = engine.quantize(normalValues(15), [3, 5], {
      bits: 4,
      granularity: "per_channel",
    });
    expect(quantized.data.length).toBe(3 * 3);
    expect(engine.storageBits(quantized)).toEqual({
      payloadBits: 72,
      parameterBits: 3 * 32,
      totalBits: 168,
      bitsPerWeight: 168 / 15,
    });
  });

  it.each([8, 4] as const)(
    "restores an all-zero tensor exactly (INT%i)",
    (bits) => {
      const zeros = new Float32Array(70);
      const { restored, error } = engine.roundTrip(zeros, [2, 35], {
        bits,
        granularity: "per_group",
      });
      expect(restored).toEqual(zeros);
      expect(error.mse).toBe(0);
      expect(error.sqnrDb).toBe(Infinity);
    },
  );

  it("reports an exact round trip as infinite SQNR", () => {
    const stats = engine.errorStats([1, 2, 3], new Float32Array([1, 2, 3]));
    expect(stats.mse).toBe(0);
    expect(stats.sqnrDb).toBe(Infinity);
  });
});

describe("errors carry the engine message", () => {
  const expectError = (run: () => unknown, message: RegExp) => {
    expect(run).toThrow(message);
    try {
      run();
    } catch (error) {
      expect((error as Error).name).toBe("InvalidArgument");
    }
  };

  it("rejects NaN and Inf, naming the position", () => {
    expectError(
      () => engine.quantize([0.5, NaN, 1], [3], { bits: 8 }),
      /NaN.*index 1/,
    );
    expectError(
      () => engine.quantize([0.5, 1, -Infinity], [3], { bits: 4 }),
      /index 2/,
    );
  });

  it("rejects a bit width other than 8 or 4", () => {
    expectError(
      () => engine.quantize(values, shape, { bits: 3 as 8 }),
      /bits must be 8 or 4, got 3/,
    );
  });

  it("rejects a group size of 0", () => {
    expectError(
      () =>
        engine.quantize(values, shape, {
          bits: 4,
          granularity: "per_group",
          groupSize: 0,
        }),
      /group size/,
    );
  });

  it("rejects a shape that does not match the number of values", () => {
    expectError(
      () => engine.quantize(values, [8, 99], { bits: 8 }),
      /792 values, got 800/,
    );
  });

  it("rejects empty input", () => {
    expectError(() => engine.quantize([], [0], { bits: 8 }), /empty/i);
  });

  it("rejects options that would not survive the trip into C++", () => {
    expectError(
      () =>
        engine.quantize(values, shape, {
          bits: 8,
          granularity: "per_row" as "per_tensor",
        }),
      /granularity must be one of per_tensor, per_channel, per_group/,
    );
    expectError(
      () => engine.quantize(values, [-8, -100], { bits: 8 }),
      /shape\[0\] must be a non-negative integer/,
    );
    expectError(
      () =>
        engine.quantize(values, shape, {
          bits: 4,
          granularity: "per_group",
          groupSize: 2.5,
        }),
      /groupSize must be a non-negative integer/,
    );
  });

  it("rejects a quantized tensor whose parts no longer fit together", () => {
    // A QuantizedTensor is plain data in JS and may be edited or corrupted in transit.
    const q = engine.quantize([1, 2, 3, 4], [2, 2], {
      bits: 4,
      granularity: "per_channel",
    });
    for (const broken of [
      { ...q, data: q.data.subarray(0, 1) },
      { ...q, scales: q.scales.subarray(0, 1) },
      { ...q, shape: [4, 4] },
    ]) {
      expectError(() => engine.dequantize(broken), /needs \d+ code bytes/);
    }
  });

  it("rejects comparing arrays of different lengths", () => {
    expect(() => engine.errorStats([1, 2], [1])).toThrow(/length|size/);
  });
});
