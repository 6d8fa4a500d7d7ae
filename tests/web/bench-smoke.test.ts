// The benchmark harness end to end on tiny shapes: the real engine (roofline probes, every kernel
// kind through the bench bindings) and ONNX Runtime Web on graphs built by onnx-model.ts. Checks
// that every figure comes out and that both libraries compute the same thing; never how fast.
import * as ort from "onnxruntime-web";
import { beforeAll, describe, expect, it } from "vitest";
import { loadRawModule } from "../../web/lib/src/index";
import type { BenchModule } from "../../web/app/src/bench/bench-module";
import {
  configureOrt,
  createOrtCall,
} from "../../web/app/src/bench/ort-backend";
import {
  KERNEL_KINDS,
  SMOKE_CASES,
  type MatmulCase,
} from "../../web/app/src/bench/cases";
import { prepareWeights } from "../../web/app/src/bench/our-kernels";
import { runBench, type BenchReport } from "../../web/app/src/bench/runner";
import { formatReport } from "../../web/app/src/bench/report";

const TINY_TIMING = { warmupMs: 1, samples: 3, minSampleMs: 0.2 };
const TINY_PROBES = { streamBytes: 2 ** 20, computeIterations: 1000 };

let engine: BenchModule;
beforeAll(async () => {
  engine = await loadRawModule();
  configureOrt(ort, 1);
});

describe("ONNX graphs", () => {
  // Independent of our kernels: ONNX Runtime on the encoded graph against a plain JS product.
  const c: MatmulCase = { op: "gemm", name: "graph check", m: 2, n: 5, k: 64 };
  const weights = Float32Array.from({ length: c.n * c.k }, (_, i) =>
    Math.sin(0.37 * i),
  );
  const input = Float32Array.from({ length: c.m * c.k }, (_, i) =>
    Math.cos(0.11 * i),
  );
  const product = (w: Float32Array) => {
    const out = new Float32Array(c.m * c.n);
    for (let r = 0; r < c.m; ++r)
      for (let j = 0; j < c.n; ++j)
        for (let i = 0; i < c.k; ++i)
          out[r * c.n + j]! += input[r * c.k + i]! * w[j * c.k + i]!;
    return out;
  };

  it.each(["f32", "w4a32"] as const)(
    "runs %s with the weights our kernels get",
    async (kind) => {
      const prepared = prepareWeights(engine, c, kind, weights);
      const expected = product(
        prepared.quantized ? engine.dequantize(prepared.quantized) : weights,
      );
      const call = await createOrtCall(ort, c, prepared.forOrt, input, [
        c.m,
        c.k,
      ]);
      await call.run(1);
      const got = call.output();
      await call.release();
      expect(got).toHaveLength(expected.length);
      // Rounding only: 64 products of magnitude ≤ 1 summed in another order.
      got.forEach((y, i) =>
        expect(Math.abs(y - expected[i]!)).toBeLessThan(1e-4),
      );
    },
  );
});

describe("bench bindings", () => {
  it("names the problem when a buffer has the wrong size", () => {
    expect(() =>
      engine.benchMatmulF32(2, 3, 4, new Float32Array(12), new Float32Array(7)),
    ).toThrow(/activations has 7 values, expected 8/);
  });

  it("rejects a stream probe smaller than one unrolled step, and stream counts it lacks", () => {
    expect(() => new engine.RooflineStreamRead(64)).toThrow(
      /at least 256 bytes/,
    );
    const probe = new engine.RooflineStreamRead(4096);
    try {
      expect(probe.pass(4)).toBe(probe.pass(1));
      expect(() => probe.pass(3)).toThrow(/1, 2 or 4 streams, not 3/);
    } finally {
      probe.delete();
    }
  });
});

describe("benchmark harness on tiny shapes", () => {
  let report: BenchReport;
  beforeAll(async () => {
    report = await runBench(engine, {
      cases: SMOKE_CASES,
      kinds: KERNEL_KINDS,
      timing: TINY_TIMING,
      probes: TINY_PROBES,
      ort,
      threads: 1,
      agreementCase: SMOKE_CASES[0]!.name,
      environment: "vitest",
    });
  }, 120_000);

  it("measures the roofs and the dot + accumulate ceiling", () => {
    const { streamGBs, f32Gflops, i16DotGops, i16DotAddGops } = report.roofline;
    for (const value of [streamGBs, f32Gflops, i16DotGops, i16DotAddGops])
      expect(value).toBeGreaterThan(0);
  });

  it("times every kernel kind on every case, with ratios to FP32 and ONNX Runtime", () => {
    expect(report.unavailable).toEqual([]);
    expect(report.results).toHaveLength(
      SMOKE_CASES.length * KERNEL_KINDS.length,
    );
    for (const r of report.results) {
      expect(r.ms).toBeGreaterThan(0);
      expect(r.gflops).toBeGreaterThan(0);
      expect(r.percentOfRoof).toBeGreaterThan(0);
      expect(r.weightBytes).toBeGreaterThan(0);
      if (r.kind !== "f32") expect(r.speedupVsF32).toBeGreaterThan(0);
      const ortHasIt = r.op !== "conv" || r.kind === "f32";
      expect(r.oursOverOrt !== undefined).toBe(ortHasIt);
    }
  });

  it("gets the same outputs as ONNX Runtime for every kind", () => {
    expect(report.agreement.map((a) => a.kind)).toEqual([...KERNEL_KINDS]);
    for (const a of report.agreement)
      expect(a, `${a.kind}: ${a.measured}`).toMatchObject({ pass: true });
  });

  it("prints the table and every target check", () => {
    const text = formatReport(report);
    for (const c of SMOKE_CASES) expect(text).toContain(c.name);
    expect(text).toContain("issue targets:");
    // The shapes were not run, so every target reports itself as not measured.
    expect(report.checks.every((c) => c.value === undefined)).toBe(true);
  });
});
