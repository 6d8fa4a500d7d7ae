// The worker protocol end to end with the real engine handlers. Node has no Web Worker, so each
// "worker" here is a MessageChannel whose far port is served in this thread; the client code
// and the server code are the ones the browser runs.
import { afterEach, describe, expect, it } from "vitest";
import {
  createWorkerClient,
  engineWorkerHandlers,
  loadEngine,
  loadModel,
  serveRequests,
  trainInWorker,
  trainModel,
  type EngineWorkerMethods,
  type Progress,
  type TrainProgress,
  type WorkerClient,
  type WorkerLike,
} from "../../web/lib/src/index";
import {
  mnistSplit as mnist,
  normalValues,
  readRepoFile as read,
} from "./fixtures";

const values = normalValues(4 * 96, 11);
const shape = [4, 96];

let spawned = 0;
let terminated = 0;
function spawnInThread(): WorkerLike {
  const { port1, port2 } = new MessageChannel();
  serveRequests(port1, engineWorkerHandlers());
  spawned++;
  return {
    postMessage: (message, transfer) =>
      port2.postMessage(message, transfer ?? []),
    addEventListener: (type: string, listener: (event: never) => void) =>
      port2.addEventListener(type, listener as EventListener),
    start: () => port2.start(),
    terminate: () => {
      terminated++;
      port1.close();
      port2.close();
    },
  };
}

let client: WorkerClient<EngineWorkerMethods>;
function newClient() {
  spawned = 0;
  terminated = 0;
  client = createWorkerClient<EngineWorkerMethods>(spawnInThread);
  return client;
}
afterEach(() => client?.terminate());

describe("engine worker client", () => {
  it("returns what the engine returns in this thread", async () => {
    const engine = await loadEngine();
    const scheme = {
      bits: 4,
      granularity: "per_group",
      groupSize: 32,
    } as const;
    const remote = await newClient().call("roundTrip", [values, shape, scheme]);
    expect(remote).toEqual(engine.roundTrip(values, shape, scheme));
  });

  it("moves transferred arguments instead of copying them", async () => {
    const copy = values.slice();
    const result = await newClient().call(
      "roundTrip",
      [copy, shape, { bits: 8 }],
      { transfer: [copy.buffer] },
    );
    expect(copy.byteLength).toBe(0);
    expect(result.restored).toHaveLength(values.length);
  });

  it("rejects with the engine error name and message", async () => {
    const call = newClient().call("quantize", [[1, NaN], [2], { bits: 8 }]);
    await expect(call).rejects.toThrow(/NaN at index 1/);
    await call.catch((error: Error) =>
      expect(error.name).toBe("InvalidArgument"),
    );
  });

  it("rejects an unknown method", async () => {
    const unknown = newClient() as unknown as WorkerClient<{ fly: () => void }>;
    await expect(unknown.call("fly", [])).rejects.toThrow(
      'the worker has no method "fly"',
    );
  });

  it("reports progress of multi-step jobs", async () => {
    const schemes = [
      { bits: 8 },
      { bits: 4 },
      { bits: 4, granularity: "per_channel", axis: 1 },
    ] as const;
    const progress: Progress[] = [];
    const rows = await newClient().call(
      "compareSchemes",
      [values, shape, schemes],
      {
        onProgress: (p) => progress.push(p),
      },
    );
    expect(progress.map((p) => [p.done, p.total])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(rows).toHaveLength(3);
    expect("error" in rows[0]! && "error" in rows[1]!).toBe(true);
    // INT4 per-channel only allows axis 0: reported for that row, the others still computed.
    expect(rows[2]).toMatchObject({ problem: expect.stringMatching(/axis/) });
  });
});

describe("cancellation", () => {
  it("rejects an already aborted signal without starting a worker", async () => {
    const call = newClient().call("schemeName", [{ bits: 8 }], {
      signal: AbortSignal.abort(),
    });
    await expect(call).rejects.toMatchObject({ name: "AbortError" });
    expect(spawned).toBe(0);
  });

  it("drops a queued request and still runs the others", async () => {
    const c = newClient();
    const controller = new AbortController();
    const first = c.call("roundTrip", [values, shape, { bits: 8 }]);
    const second = c.call("roundTrip", [values, shape, { bits: 4 }], {
      signal: controller.signal,
    });
    const third = c.call("schemeName", [{ bits: 4, symmetric: false }]);
    controller.abort();
    await expect(second).rejects.toMatchObject({ name: "AbortError" });
    await expect(first).resolves.toHaveProperty("error.sqnrDb");
    await expect(third).resolves.toMatch(/4/);
    expect(terminated).toBe(0);
  });

  it("terminates the worker running a cancelled request and starts a new one for the next", async () => {
    const c = newClient();
    const controller = new AbortController();
    const running = c.call("roundTrip", [values, shape, { bits: 8 }], {
      signal: controller.signal,
    });
    const next = c.call("roundTrip", [values, shape, { bits: 4 }]);
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: "AbortError" });
    await expect(next).resolves.toHaveProperty("storage.bitsPerWeight");
    expect(terminated).toBe(1);
    expect(spawned).toBe(2);
  });
});

describe("training in the worker", () => {
  const shipped = () =>
    loadModel({
      manifest: read("models/mnist-mlp/manifest.json"),
      weights: read("models/mnist-mlp/model.safetensors"),
    });
  const batchSize = 64;
  const batches = 8;
  const options = { optimizer: "sgd", learningRate: 0.005, batchSize } as const;
  const trainSlice = async () => {
    const train = await mnist("train");
    const count = batchSize * batches;
    return {
      ...train,
      count,
      images: train.images.slice(0, count * 784),
      labels: train.labels.slice(0, count),
    };
  };

  it("reports every batch and returns the files trainModel gives in this thread", async () => {
    const model = await shipped();
    const data = await trainSlice();
    const local = await trainModel(model, data, options);
    const files = model.files();

    const events: TrainProgress[] = [];
    const protocol: Progress[] = [];
    const client = newClient();
    const result = await client.call("trainModel", [files, data, options], {
      onProgress: (p) => protocol.push(p),
    });
    const typed = await trainInWorker(client, model.files(), data, {
      ...options,
      onProgress: (p) => events.push(p),
    });
    expect(protocol.map((p) => [p.done, p.total])).toEqual(
      Array.from({ length: batches }, (_, i) => [i + 1, batches]),
    );
    expect(protocol[0]?.message).toMatch(/^epoch 1\/1, batch 1\/8, loss /);
    expect(events.map((e) => e.batch)).toEqual(protocol.map((p) => p.done));
    expect(events.at(-1)?.accuracy).toBe(local.accuracy);

    // One implementation: the worker's run is the in-thread run, bit for bit.
    const summary = (({ model: _, ...rest }) => rest)(local);
    for (const remote of [result, typed]) {
      expect(remote).toMatchObject({ ...summary, seconds: expect.any(Number) });
      expect(remote.files).toEqual(local.model.files());
    }
    const trained = await loadModel({
      manifest: result.files.manifestJson,
      weights: result.files.weights,
    });
    const test = await mnist("test");
    const recorded = Number(model.manifest.metrics.test_accuracy);
    expect(trained.evaluate(test).accuracy).toBeGreaterThanOrEqual(
      recorded - 0.02,
    );
    for (const m of [model, local.model, trained]) m.dispose();
  }, 300_000); // three trainings, a Worker start and an evaluation: the heaviest test here

  it("moves the files and data to the worker when asked to", async () => {
    const model = await shipped();
    const files = model.files();
    const data = await trainSlice();
    model.dispose();
    const result = await trainInWorker(newClient(), files, data, {
      ...options,
      transfer: true,
    });
    expect(files.weights.byteLength).toBe(0);
    expect(data.images.byteLength).toBe(0);
    expect(result).toMatchObject({ cancelled: false, epochsCompleted: 1 });
    expect(result.files.weights.byteLength).toBeGreaterThan(0);
  });

  it("rejects with the engine's message for images of the wrong size", async () => {
    const model = await shipped();
    const data = await trainSlice();
    const files = model.files();
    model.dispose();
    await expect(
      trainInWorker(
        newClient(),
        files,
        { ...data, rows: 14, cols: 14 },
        options,
      ),
    ).rejects.toMatchObject({
      name: "InvalidArgument",
      message: expect.stringContaining("images of 196 pixels"),
    });
  });

  it("an abort after the first progress event terminates the training worker", async () => {
    const model = await shipped();
    const files = model.files();
    model.dispose();
    const data = await trainSlice();
    const c = newClient();
    const controller = new AbortController();
    const events: TrainProgress[] = [];
    const run = trainInWorker(c, files, data, {
      ...options,
      signal: controller.signal,
      onProgress: (p) => {
        events.push(p);
        controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: "AbortError" });
    // Replies the terminated worker had already sent are dropped.
    expect(events).toHaveLength(1);
    expect(terminated).toBe(1);
    await expect(c.call("schemeName", [{ bits: 8 }])).resolves.toMatch(/8/);
    expect(spawned).toBe(2);
  });
});
