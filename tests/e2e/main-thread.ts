// How long the page's main thread works in one go, read from a Chromium trace.
//
// A PerformanceObserver "longtask" entry is wall time: on a machine whose cores are busy with
// other processes it also counts the time the OS did not run the thread, so the same page
// measures 80 ms quiet and 300 ms loaded. The trace's RunTask events carry both the wall
// duration (`dur`) and the thread's CPU time (`tdur`); the CPU time is the work the page gave
// its main thread, which is what "never blocks for more than 100 ms" is about, whatever the
// load. Both are returned so a test can print the wall figure beside the asserted one.
import type { Browser, Page } from "@playwright/test";

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

export interface MainThreadTasks {
  /** Tasks of the page's main thread longer than 50 ms of wall time, in ms. */
  wall: number[];
  /** Their CPU time, in ms: what the page's own work took. */
  cpu: number[];
}

/** Runs `work` while tracing, and returns the renderer main thread's long tasks. */
export async function traceMainThread(
  browser: Browser,
  page: Page,
  work: () => Promise<void>,
): Promise<MainThreadTasks> {
  await browser.startTracing(page, {
    categories: ["disabled-by-default-devtools.timeline", "toplevel"],
  });
  let trace: Buffer;
  try {
    await work();
  } finally {
    trace = await browser.stopTracing();
  }
  const events = (JSON.parse(trace.toString()) as { traceEvents: TraceEvent[] })
    .traceEvents;
  const mainThreads = new Set(
    events
      .filter(
        (e) => e.name === "thread_name" && e.args?.name === "CrRendererMain",
      )
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const tasks = events.filter(
    (e) =>
      e.name === "RunTask" &&
      e.ph === "X" &&
      mainThreads.has(`${e.pid}:${e.tid}`) &&
      (e.dur ?? 0) >= 50_000,
  );
  if (mainThreads.size === 0)
    throw new Error("the trace names no renderer main thread");
  if (tasks.some((e) => e.tdur === undefined))
    throw new Error("the trace's tasks carry no thread (CPU) time");
  return {
    wall: tasks.map((e) => e.dur! / 1000),
    cpu: tasks.map((e) => e.tdur! / 1000),
  };
}

/** One line for the test's output: the long tasks' CPU and wall times. */
export function describeTasks(what: string, tasks: MainThreadTasks): string {
  const longest = (ms: number[]) => Math.max(0, ...ms).toFixed(0);
  return `${what}: ${tasks.cpu.length} main-thread tasks over 50 ms of wall time; longest ${longest(tasks.cpu)} ms of CPU, ${longest(tasks.wall)} ms of wall time`;
}
