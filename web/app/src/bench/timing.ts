// Times a benchmark call: warm-up (the JIT tiers up, caches and pages settle), then samples.
// A sample runs the call `repetitions` times so that even microsecond calls give samples long
// enough for a coarse clock (browsers round performance.now to 5-100 µs).
import { summarize, type Summary } from './stats';

export interface TimingOptions {
  /** Keep warming up until this much time has passed (and at least two calls). */
  warmupMs: number;
  /** Samples taken after warm-up; the median is reported. */
  samples: number;
  /** Repeat the call within a sample until the sample lasts about this long. */
  minSampleMs: number;
}

export const DEFAULT_TIMING: TimingOptions = { warmupMs: 300, samples: 9, minSampleMs: 20 };

export interface Timing extends Summary {
  /** Calls per sample. */
  repetitions: number;
}

/** `run(n)` performs the measured call n times. Returns per-call milliseconds. */
export type Workload = (repetitions: number) => unknown;

export type Clock = () => number;

export async function measure(
  run: Workload,
  options: TimingOptions = DEFAULT_TIMING,
  clock: Clock = () => performance.now(),
): Promise<Timing> {
  const timeOnce = async (repetitions: number): Promise<number> => {
    const start = clock();
    await run(repetitions);
    return clock() - start;
  };

  let calls = 0;
  let elapsed = 0;
  let last = 0;
  while (calls < 2 || elapsed < options.warmupMs) {
    last = await timeOnce(1);
    elapsed += last;
    calls += 1;
  }
  const repetitions = repetitionsFor(last, options.minSampleMs);

  const perCall: number[] = [];
  for (let i = 0; i < options.samples; ++i) perCall.push((await timeOnce(repetitions)) / repetitions);
  return { ...summarize(perCall), repetitions };
}

/** Calls per sample so that a sample lasts at least minSampleMs, given one call's time. */
export function repetitionsFor(callMs: number, minSampleMs: number): number {
  if (callMs <= 0) return 1000; // below the clock's resolution: many calls per sample
  return Math.max(1, Math.ceil(minSampleMs / callMs));
}
