// The benchmark runner's logic without timing anything real: statistics, the timing loop on a
// fake clock, roofline bounds, target checks and table formatting.
import { describe, expect, it } from "vitest";
import {
  compulsoryBytes,
  flops,
  gemmDims,
  ISSUE_CASES,
  type BenchCase,
} from "../../web/app/src/bench/cases";
import {
  computeRoof,
  roofBound,
  type Roofline,
} from "../../web/app/src/bench/roofline";
import {
  kernelResult,
  withComparisons,
  type KernelResult,
} from "../../web/app/src/bench/results";
import { formatDotAddCeiling } from "../../web/app/src/bench/report";
import { median, summarize } from "../../web/app/src/bench/stats";
import {
  formatNumber,
  formatTable,
  TABLE_HEADER,
} from "../../web/app/src/bench/table";
import { checkTargets, formatCheck } from "../../web/app/src/bench/targets";
import {
  measure,
  measureInterleaved,
  type Timing,
} from "../../web/app/src/bench/timing";

const roofline: Roofline = {
  streamGBs: 20,
  streams: 2,
  f32Gflops: 50,
  i16DotGops: 100,
  i16DotAddGops: 85,
  spread: { stream: 0, f32: 0, i16Dot: 0, i16DotAdd: 0 },
};

function caseNamed(name: string): BenchCase {
  const c = ISSUE_CASES.find((x) => x.name === name);
  if (!c) throw new Error(`no case ${name}`);
  return c;
}

function timing(ms: number): Timing {
  return {
    median: ms,
    min: ms,
    max: ms,
    relativeSpread: 0,
    count: 1,
    repetitions: 1,
  };
}

describe("statistics", () => {
  it("takes the middle value, or the mean of the two middle ones", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/empty/);
  });

  it("reports the median absolute deviation relative to the median", () => {
    const s = summarize([10, 11, 9, 10, 30]);
    expect(s.median).toBe(10);
    expect(s.min).toBe(9);
    expect(s.max).toBe(30);
    // deviations 0, 1, 1, 0, 20 → median 1 → 10%: the outlier does not move it.
    expect(s.relativeSpread).toBeCloseTo(0.1);
    expect(s.count).toBe(5);
  });
});

describe("timing loop", () => {
  it("warms up, doubles the calls per sample until a sample lasts long enough, reports per-call time", async () => {
    let now = 0;
    const calls: number[] = [];
    const t = await measure(
      (n) => {
        calls.push(n);
        now += 2 * n; // every call takes 2 ms on the fake clock
      },
      { warmupMs: 10, samples: 4, minSampleMs: 7 },
      () => now,
    );
    // warm-up batches of 1, 2, 4 calls (2, 4, 8 ms: the last one is long enough and 14 ms have
    // passed), then 4 samples of 4 calls.
    expect(calls).toEqual([1, 2, 4, 4, 4, 4, 4]);
    expect(t.median).toBe(2);
    expect(t.repetitions).toBe(4);
    expect(t.count).toBe(4);
  });

  it("measures calls far below the clock's resolution", async () => {
    let exact = 0;
    const coarseClock = () => Math.floor(exact); // 1 ms ticks
    const t = await measure(
      (n) => {
        exact += 0.003 * n;
      },
      { warmupMs: 0, samples: 3, minSampleMs: 20 },
      coarseClock,
    );
    expect(t.repetitions).toBeGreaterThanOrEqual(20 / 0.003);
    expect(t.median).toBeCloseTo(0.003, 3);
  });

  it("idles settleMs before each sample, so one workload's spinning threads do not fall on the next", async () => {
    const calls: { workload: number; at: number }[] = [];
    await measureInterleaved(
      [0, 1].map((workload) => () => {
        calls.push({ workload, at: performance.now() });
      }),
      { warmupMs: 0, samples: 2, minSampleMs: 0, settleMs: 25 },
    );
    // Two calibration calls of each workload come first, then per sample the pause, one
    // untimed call and the timed one.
    const samples = calls.slice(4);
    expect(samples.map((call) => call.workload)).toEqual([
      0, 0, 1, 1, 0, 0, 1, 1,
    ]);
    for (let i = 2; i < samples.length; i += 2) {
      expect(samples[i]!.at - samples[i - 1]!.at).toBeGreaterThanOrEqual(24);
    }
  });

  it("leaves the first call after the pause out of the sample (the threads waking up)", async () => {
    let now = 0;
    let lastCallEnd = -Infinity;
    const timing = await measure(
      (n) => {
        // A call after 20 ms of real idle time costs 100 ms more on the fake clock.
        const rested = performance.now() - lastCallEnd >= 20;
        now += (rested ? 100 : 0) + n;
        lastCallEnd = performance.now();
      },
      { warmupMs: 0, samples: 3, minSampleMs: 0, settleMs: 30 },
      () => now,
    );
    expect(timing.median).toBe(1);
  });

  it("interleaves the samples of several workloads, each with its own calls per sample", async () => {
    let now = 0;
    const log: string[] = [];
    const workload = (name: string, msPerCall: number) => (n: number) => {
      log.push(`${name}${n}`);
      now += msPerCall * n;
    };
    const [fast, slow] = await measureInterleaved(
      [workload("a", 1), workload("b", 10)],
      { warmupMs: 0, samples: 3, minSampleMs: 4 },
      () => now,
    );
    // calibration one after the other (a: batches of 1, 2, 4 calls; b: 1 call, twice),
    // then samples in turn.
    expect(log).toEqual([
      "a1",
      "a2",
      "a4",
      "b1",
      "b1",
      "a4",
      "b1",
      "a4",
      "b1",
      "a4",
      "b1",
    ]);
    expect(fast).toMatchObject({ median: 1, repetitions: 4, count: 3 });
    expect(slow).toMatchObject({ median: 10, repetitions: 1, count: 3 });
  });

  it("awaits asynchronous workloads", async () => {
    let now = 0;
    const t = await measure(
      async (n) => {
        await Promise.resolve();
        now += 3 * n;
      },
      { warmupMs: 0, samples: 3, minSampleMs: 1 },
      () => now,
    );
    expect(t.median).toBe(3);
  });

  it("refuses a clock that never advances", async () => {
    await expect(
      measure(
        () => {},
        { warmupMs: 0, samples: 1, minSampleMs: 1 },
        () => 0,
      ),
    ).rejects.toThrow(/clock does not advance/);
  });
});

describe("cases", () => {
  it("counts 2·M·N·K flops and lowers a convolution to its im2col GEMM", () => {
    expect(flops(caseNamed("GEMV 1×4096×11008"))).toBe(2 * 4096 * 11008);
    const conv = caseNamed("conv 14×14×16→32 b64");
    expect(gemmDims(conv)).toEqual({ m: 64 * 14 * 14, n: 32, k: 16 * 9 });
    expect(compulsoryBytes(conv, 1000)).toBe(
      1000 + 4 * (64 * 16 * 14 * 14 + 64 * 32 * 14 * 14),
    );
  });

  it("has the issue’s nine shapes", () => {
    expect(ISSUE_CASES.map((c) => c.name)).toEqual([
      "GEMV 1×1024×1024",
      "GEMV 1×4096×4096",
      "GEMV 1×4096×11008",
      "GEMM 64×1024×1024",
      "GEMM 256×1024×1024",
      "conv 28×28×1→16 b1",
      "conv 28×28×1→16 b64",
      "conv 14×14×16→32 b1",
      "conv 14×14×16→32 b64",
    ]);
  });
});

describe("roofline bound", () => {
  it("puts a GEMV under the bandwidth roof: % of roof is its effective bandwidth share", () => {
    const gemv = caseNamed("GEMV 1×4096×4096");
    const weightBytes = 4 * 4096 * 4096;
    const ms = 4; // 67 MB in 4 ms = 16.8 GB/s of weights
    const r = kernelResult(gemv, "f32", weightBytes, timing(ms), roofline, 1);
    expect(r.bound.limit).toBe("memory");
    const effectiveGBs = compulsoryBytes(gemv, weightBytes) / (ms * 1e6);
    expect(r.percentOfRoof).toBeCloseTo(
      (100 * effectiveGBs) / roofline.streamGBs,
      9,
    );
  });

  it("puts a large GEMM under the compute roof of its instruction", () => {
    const gemm = caseNamed("GEMM 256×1024×1024");
    const f32 = kernelResult(gemm, "f32", 4 * 2 ** 20, timing(20), roofline, 1);
    expect(f32.bound).toEqual({ limit: "f32", gflops: 50 });
    expect(f32.percentOfRoof).toBeCloseTo((100 * flops(gemm)) / (20e6 * 50), 9);
    const int8 = kernelResult(gemm, "qd8", 2 ** 20, timing(10), roofline, 1);
    expect(int8.bound).toEqual({ limit: "i16dot", gflops: 100 });
    expect(computeRoof("w4a32")).toBe("f32");
    expect(computeRoof("w4a8")).toBe("i16dot");
  });

  it("takes the lower of the two roofs", () => {
    expect(roofBound(roofline, "f32", 100, 10)).toEqual({
      limit: "f32",
      gflops: 50,
    });
    expect(roofBound(roofline, "f32", 10, 10)).toEqual({
      limit: "memory",
      gflops: 20,
      streamGBs: 20,
    });
  });
});

describe("ratios and targets", () => {
  const gemv = caseNamed("GEMV 1×4096×11008");
  const gemm = caseNamed("GEMM 256×1024×1024");
  const weights = 4096 * 11008;
  const rows: KernelResult[] = [
    withComparisons(
      kernelResult(gemv, "f32", 4 * weights, timing(10), roofline, 1),
      undefined,
      timing(12),
    ),
    withComparisons(
      kernelResult(gemv, "qd8", weights, timing(2.5), roofline, 1),
      10,
      timing(10),
    ),
    withComparisons(
      kernelResult(gemv, "w4a8", weights / 2, timing(2), roofline, 1),
      10,
      timing(100),
    ),
    withComparisons(
      kernelResult(gemv, "w4a32", weights / 2, timing(12), roofline, 1),
      10,
      undefined,
    ),
    withComparisons(
      kernelResult(gemm, "f32", 4 * 2 ** 20, timing(15), roofline, 1),
      undefined,
      timing(18),
    ),
  ];

  it("relates each kind to our FP32 and to ONNX Runtime", () => {
    expect(rows[1]!.speedupVsF32).toBe(4);
    expect(rows[1]!.oursOverOrt).toBe(0.25);
    expect(rows[3]!.oursOverOrt).toBeUndefined();
  });

  it("places the INT8 GEMM under the dot + accumulate ceiling, once it is measured", () => {
    expect(formatDotAddCeiling(roofline, rows)).toBeUndefined();
    // 2·256·1024·1024 flops in 5.368 ms: 100 GFLOP/s, the whole dot peak, 118% of 85.
    const int8 = kernelResult(
      gemm,
      "qd8",
      2 ** 20,
      timing(5.368709),
      roofline,
      1,
    );
    expect(formatDotAddCeiling(roofline, [int8])).toBe(
      "(a loop of nothing but dot + accumulate reaches 85% of the dot peak on this machine; " +
        "INT8 GEMM 256×1024×1024 runs at 118% of that ceiling)",
    );
  });

  it("relates a threaded row to our same kernel on one thread and checks the 1.8× target", () => {
    const two = kernelResult(
      gemm,
      "f32",
      4 * 2 ** 20,
      timing(10),
      roofline,
      2,
      timing(19),
    );
    expect(two.threads).toBe(2);
    expect(two.speedupVsOneThread).toBeCloseTo(1.9, 12);
    expect(rows[4]!.speedupVsOneThread).toBeUndefined();
    const check = (results: KernelResult[]) =>
      checkTargets(results).find((c) =>
        c.label.startsWith("FP32 GEMM 256×1024×1024 on all threads"),
      )!;
    expect(check([two])).toMatchObject({ value: 1.9, target: 1.8, pass: true });
    expect(check([rows[4]!])).toMatchObject({
      value: undefined,
      pass: undefined,
    });
    expect(formatCheck(check([two]))).toBe(
      "FP32 GEMM 256×1024×1024 on all threads ≥ 1.8× our 1 thread (target for 2 threads): 1.90× ✓",
    );
  });

  it("checks each target from the measured rows and says when a row is missing", () => {
    const checks = checkTargets(rows);
    const byLabel = (text: string) =>
      checks.find((c) => c.label.includes(text))!;
    expect(byLabel("INT8 GEMV 1×4096×11008 ≥ 3× our FP32")).toMatchObject({
      value: 4,
      pass: true,
    });
    expect(byLabel("INT8 GEMV 1×4096×11008 ≥ 2.5× ORT")).toMatchObject({
      value: 4,
      pass: true,
    });
    expect(byLabel("W4A8 GEMV 1×4096×11008 ≥ 5× our FP32")).toMatchObject({
      value: 5,
      pass: true,
    });
    expect(byLabel("W4A8 GEMV 1×4096×11008 ≥ 30× ORT")).toMatchObject({
      value: 50,
      pass: true,
    });
    const w4a32 = byLabel("W4A32");
    expect(w4a32.value).toBeCloseTo(10 / 12);
    expect(w4a32.pass).toBe(false);
    expect(byLabel("FP32 GEMM 256×1024×1024 ≥ 1.3× ORT")).toMatchObject({
      value: 1.2,
      pass: false,
    });
    const missing = byLabel("INT8 GEMM");
    expect(missing.value).toBeUndefined();
    expect(formatCheck(missing)).toMatch(/not measured$/);
    expect(formatCheck(byLabel("W4A8 GEMV 1×4096×11008 ≥ 30× ORT"))).toMatch(
      /: 50\.00× ✓$/,
    );
  });

  it("formats the table with one aligned line per row and a blank line between cases", () => {
    const lines = formatTable(rows).split("\n");
    expect(lines[0]!.split(/\s{2,}/)).toEqual([...TABLE_HEADER]);
    expect(lines).toHaveLength(2 + rows.length + 1);
    expect(lines[2 + 4]).toBe("");
    const qd8 = lines.find((l) => l.includes("INT8 dyn"))!;
    expect(qd8).toMatch(/^GEMV 1×4096×11008\s+INT8 dyn\s+1\s+2\.50\s/);
  });

  it("prints numbers with three significant digits and a dash when absent", () => {
    expect(formatNumber(1234.5)).toBe("1235");
    expect(formatNumber(12.345)).toBe("12.3");
    expect(formatNumber(0.0123)).toBe("0.012");
    expect(formatNumber(undefined)).toBe("—");
    expect(formatNumber(Infinity)).toBe("—");
  });
});
