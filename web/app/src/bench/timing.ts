// Times a benchmark call: warm-up (the JIT tiers up, caches and pages settle), then samples.
// A sample runs the call `repetitions` times so that even microsecond calls give samples long
// enough for a coarse clock (browsers round performance.now to 5-100 µs, more in workers
// without cross-origin isolation).
import { summarize, type Summary } from "./stats";

export interface TimingOptions {
  /** Keep warming up until this much time has passed (and at least two calls). */
  warmupMs: number;
  /** Samples taken after warm-up; the median is reported. */
  samples: number;
  /** Repeat the call within a sample until the sample lasts about this long. */
  minSampleMs: number;
  /**
   * Idle this long before each sample, so that the threads of the workload before it have gone
   * to sleep: ONNX Runtime Web's pool keeps spinning for about 15 ms after a run (measured in
   * Node, with or without its allow_spinning option), which took our second thread's core and
   * read as our threads not scaling. After the pause the workload runs once untimed, so that
   * its own threads are awake again: a thread woken on a core that idled that long started
   * 1–4 ms late on the 2-vCPU VM (docs/threads.md, "Waking a sleeping thread"), a cost of the
   * machine that would otherwise land on every sample of every multi-threaded workload.
   * Default 0 (no pause, no untimed call).
   */
  settleMs?: number;
}

export const DEFAULT_TIMING: TimingOptions = {
  warmupMs: 300,
  samples: 9,
  minSampleMs: 20,
  settleMs: 30,
};

export interface Timing extends Summary {
  /** Calls per sample. */
  repetitions: number;
}

/** `run(n)` performs the measured call n times. Returns per-call milliseconds. */
export type Workload = (repetitions: number) => unknown;

export type Clock = () => number;

// 2^30 calls of even a nanosecond last a second: a batch still shorter means a stuck clock.
const MAX_REPETITIONS = 2 ** 30;

export async function measure(
  run: Workload,
  options: TimingOptions = DEFAULT_TIMING,
  clock: Clock = () => performance.now(),
): Promise<Timing> {
  const [timing] = await measureInterleaved([run], options, clock);
  return timing!;
}

/**
 * Times several workloads with their samples interleaved (a sample of each in turn, `samples`
 * rounds), so that load from other processes falls on all of them alike and their ratios stay
 * fair on a shared machine.
 */
export async function measureInterleaved(
  runs: readonly Workload[],
  options: TimingOptions = DEFAULT_TIMING,
  clock: Clock = () => performance.now(),
): Promise<Timing[]> {
  const timeOnce = async (
    run: Workload,
    repetitions: number,
  ): Promise<number> => {
    const start = clock();
    await run(repetitions);
    return clock() - start;
  };

  // Warm-up doubles as calibration: the calls per sample double until one batch lasts
  // minSampleMs, measured rather than extrapolated from a single call that a coarse clock may
  // read as zero.
  const calibrate = async (run: Workload): Promise<number> => {
    let repetitions = 1;
    let calls = 0;
    let elapsed = 0;
    for (;;) {
      const batch = await timeOnce(run, repetitions);
      elapsed += batch;
      calls += 1;
      if (batch < options.minSampleMs) {
        repetitions *= 2;
        if (repetitions > MAX_REPETITIONS)
          throw new Error("benchmark clock does not advance");
      } else if (calls >= 2 && elapsed >= options.warmupMs) {
        return repetitions;
      }
    }
  };

  const repetitions: number[] = [];
  for (const run of runs) repetitions.push(await calibrate(run));
  const perCall: number[][] = runs.map(() => []);
  const settle = () =>
    new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 0));
  for (let sample = 0; sample < options.samples; ++sample) {
    for (const [i, run] of runs.entries()) {
      if (options.settleMs) {
        await settle();
        await run(1);
      }
      perCall[i]!.push(
        (await timeOnce(run, repetitions[i]!)) / repetitions[i]!,
      );
    }
  }
  return perCall.map((values, i) => ({
    ...summarize(values),
    repetitions: repetitions[i]!,
  }));
}

/** A rough run: enough to see the shape of the table, not to quote. */
export const QUICK_TIMING: TimingOptions = {
  warmupMs: 50,
  samples: 3,
  minSampleMs: 5,
  settleMs: 30,
};
