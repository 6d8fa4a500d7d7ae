// The worker protocol end to end with the real engine handlers. Node has no Web Worker, so each
// "worker" here is a MessageChannel whose far port is served in this thread; the client code
// and the server code are the ones the browser runs.
import { afterEach, describe, expect, it } from "vitest";
import {
  createWorkerClient,
  engineWorkerHandlers,
  loadEngine,
  serveRequests,
  type EngineWorkerMethods,
  type Progress,
  type WorkerClient,
  type WorkerLike,
} from "../../web/lib/src/index";
import { normalValues } from "./fixtures";

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
