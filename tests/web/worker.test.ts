// The worker protocol end to end with the real engine. Node has no Web Worker, so each "worker"
// here is a MessageChannel whose far port is served in this thread by the same code the
// browser's worker runs (serveQuantLab); createQuantLab talks to it through its `worker` option.
import { afterEach, describe, expect, it } from "vitest";
import { serveQuantLab } from "../../web/lib/src/api/serve";
import {
  createQuantLab,
  createWorkerClient,
  QuantLabError,
  serveRequests,
  type Handlers,
  type Progress,
  type QuantLab,
  type WorkerLike,
} from "../../web/lib/src/index";
import { normalValues, readRepoFile as read } from "./fixtures";

const values = normalValues(4 * 96, 11);
const shape = [4, 96];

let spawned = 0;
let terminated = 0;
let fail: ((message: string) => void) | undefined;

/** A "worker" on a MessageChannel, served in this thread; `fail` makes it die. */
function spawnInThread(serve: (port: MessagePort) => void): WorkerLike {
  const { port1, port2 } = new MessageChannel();
  serve(port1);
  spawned++;
  const errorListeners: ((event: Event) => void)[] = [];
  fail = (message) => {
    for (const listener of errorListeners)
      listener(Object.assign(new Event("error"), { message }));
  };
  return {
    postMessage: (message, transfer) =>
      port2.postMessage(message, transfer ?? []),
    addEventListener: (type: string, listener: (event: never) => void) => {
      if (type === "error") errorListeners.push(listener as (e: Event) => void);
      else port2.addEventListener(type, listener as EventListener);
    },
    start: () => port2.start(),
    terminate: () => {
      terminated++;
      port1.close();
      port2.close();
    },
  };
}

let lab: QuantLab | undefined;
function newLab(): QuantLab {
  spawned = 0;
  terminated = 0;
  lab = createQuantLab({ worker: () => spawnInThread(serveQuantLab) });
  return lab;
}
afterEach(() => lab?.dispose());

const mnistMlp = () => ({
  manifest: read("models/mnist-mlp/manifest.json"),
  weights: read("models/mnist-mlp/model.safetensors"),
});

describe("a QuantLab in a worker", () => {
  it("returns what the engine returns in this thread", async () => {
    const scheme = {
      bits: 4,
      granularity: "per_group",
      groupSize: 32,
    } as const;
    const local = createQuantLab({ worker: false });
    const remote = await newLab().roundTrip(values, shape, scheme);
    expect(remote).toEqual(await local.roundTrip(values, shape, scheme));
    await local.dispose();
  });

  it("moves transferred arguments instead of copying them", async () => {
    const copy = values.slice();
    const result = await newLab().roundTrip(
      copy,
      shape,
      { bits: 8 },
      {
        transfer: [copy.buffer],
      },
    );
    expect(copy.byteLength).toBe(0);
    expect(result.restored).toHaveLength(values.length);
  });

  it("rejects with a QuantLabError carrying the code and the engine's message", async () => {
    const call = newLab().quantize([1, NaN], [2], { bits: 8 });
    await expect(call).rejects.toThrow(/NaN at index 1/);
    await expect(call).rejects.toBeInstanceOf(QuantLabError);
    await expect(call).rejects.toMatchObject({ code: "InvalidArgument" });
  });

  it("reports progress of multi-step jobs", async () => {
    const schemes = [
      { bits: 8 },
      { bits: 4 },
      { bits: 4, granularity: "per_channel", axis: 1 },
    ] as const;
    const progress: Progress[] = [];
    const rows = await newLab().compareSchemes(values, shape, schemes, {
      onProgress: (p) => progress.push(p),
    });
    expect(progress.map((p) => [p.done, p.total])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect("error" in rows[0]! && "error" in rows[1]!).toBe(true);
    // INT4 per-channel only allows axis 0: reported for that row, the others still computed.
    expect(rows[2]).toMatchObject({ problem: expect.stringMatching(/axis/) });
  });

  it("keeps models behind handles in the worker", async () => {
    const l = newLab();
    const model = await l.loadModel(mnistMlp());
    expect(model).toMatchObject({
      kind: "model",
      manifest: { name: "mnist-mlp" },
    });
    const saved = await l.saveModel(model);
    expect(saved.manifestJson).toContain('"mnist-mlp"');
    await l.dispose(model);
    await expect(l.saveModel(model)).rejects.toMatchObject({
      code: "InvalidArgument",
      message: expect.stringMatching(/unknown model .*disposed/),
    });
  });
});

describe("cancellation", () => {
  it("rejects an already aborted signal without starting a worker", async () => {
    const call = newLab().schemeName(
      { bits: 8 },
      { signal: AbortSignal.abort() },
    );
    await expect(call).rejects.toMatchObject({ code: "Aborted" });
    expect(spawned).toBe(0);
  });

  it("drops a queued request and still runs the others", async () => {
    const l = newLab();
    const controller = new AbortController();
    const first = l.roundTrip(values, shape, { bits: 8 });
    const second = l.roundTrip(
      values,
      shape,
      { bits: 4 },
      { signal: controller.signal },
    );
    const third = l.schemeName({ bits: 4, symmetric: false });
    controller.abort();
    await expect(second).rejects.toMatchObject({ code: "Aborted" });
    await expect(first).resolves.toHaveProperty("error.sqnrDb");
    await expect(third).resolves.toMatch(/4/);
    expect(terminated).toBe(0);
  });

  it("stops a running evaluation between batches and keeps the worker and its handles", async () => {
    const l = newLab();
    const model = await l.loadModel(mnistMlp());
    const images = new Uint8Array(4000 * 784);
    const labels = new Uint8Array(4000);
    const controller = new AbortController();
    const seen: number[] = [];
    const run = l.evaluate(
      model,
      { images, labels },
      {
        batchSize: 500,
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(p.done);
          controller.abort();
        },
      },
    );
    await expect(run).rejects.toMatchObject({ code: "Aborted" });
    const whole = await l.evaluate(model, { images, labels });
    expect(whole.count).toBe(4000);
    expect(seen.length).toBeLessThan(8);
    expect(terminated).toBe(0);
    expect(spawned).toBe(1);
  });
});

describe("a worker that dies", () => {
  it("rejects with WorkerDied, restarts, and refuses the dead worker's handles", async () => {
    const l = newLab();
    const model = await l.loadModel(mnistMlp());
    const pending = l.saveModel(model);
    fail!("simulated crash");
    await expect(pending).rejects.toMatchObject({
      code: "WorkerDied",
      message: expect.stringContaining("simulated crash"),
    });
    await expect(l.schemeName({ bits: 8 })).resolves.toMatch(/INT8/);
    expect(spawned).toBe(2);
    await expect(l.saveModel(model)).rejects.toMatchObject({
      code: "InvalidArgument",
    });
  });
});

describe("the generic worker client", () => {
  type Methods = { slow(steps: number): number };
  const handlers: Handlers<Methods> = {
    slow: async ([steps], context) => {
      for (let i = 1; i <= steps; i++) {
        context.progress({ done: i, total: steps });
        await context.checkpoint();
      }
      return steps;
    },
  };

  it("rejects an unknown method", async () => {
    const client = createWorkerClient<{ fly(): void }>(() =>
      spawnInThread((port) => serveRequests(port, handlers)),
    );
    await expect(client.call("fly", [])).rejects.toThrow(
      'the worker has no method "fly"',
    );
    client.terminate();
  });

  it("terminates the worker on abort when asked to, and starts a new one next", async () => {
    spawned = terminated = 0;
    const client = createWorkerClient<Methods>(
      () => spawnInThread((port) => serveRequests(port, handlers)),
      { abort: "terminate" },
    );
    const controller = new AbortController();
    const running = client.call("slow", [1000], { signal: controller.signal });
    const next = client.call("slow", [2]);
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: "Aborted" });
    await expect(next).resolves.toBe(2);
    expect([terminated, spawned]).toEqual([1, 2]);
    client.terminate();
  });
});
