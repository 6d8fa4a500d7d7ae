// Soak: many load → quantize → evaluate → cancel cycles through a worker, as an app drives the
// library. Every cycle must give the same results, leave no handle behind, and the engine's
// memory must stop growing once it reached its working size. `npm test` runs 100 cycles;
// `npm run soak` runs QUANTLAB_SOAK_CYCLES (default there 2,000).
import { afterAll, describe, expect, it } from "vitest";
import {
  createQuantLab,
  type QuantLab,
} from "../../web/lib/dist/index.node.js";
import { mnistSplit, readRepoFile as read } from "./fixtures";

const CYCLES = Number(process.env.QUANTLAB_SOAK_CYCLES ?? 100);
const WARM_UP = 5;

const files = {
  manifest: read("models/mnist-mlp/manifest.json"),
  weights: read("models/mnist-mlp/model.safetensors"),
};

// Rejects with Aborted once the work has reported progress, i.e. in its middle.
async function cancelledMidway(
  start: (options: {
    signal: AbortSignal;
    onProgress: () => void;
  }) => Promise<unknown>,
): Promise<string> {
  const controller = new AbortController();
  try {
    await start({
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
  } catch (error) {
    return (error as { code: string }).code;
  }
  return "finished";
}

describe("soak", () => {
  const lab: QuantLab = createQuantLab();
  afterAll(() => lab.dispose());

  it(
    `gives the same results over ${CYCLES} load → quantize → evaluate → cancel cycles, and memory stays flat`,
    async () => {
      const calibration = await mnistSplit("calibration");
      const test = await mnistSplit("test");
      const slice = {
        images: test.images.subarray(0, 300 * 784),
        labels: test.labels.subarray(0, 300),
      };
      const plans = ["int8", "w4a8"] as const;
      const cycle = async (i: number) => {
        const model = await lab.loadModel(files);
        const plan = plans[i % plans.length]!;
        const quantized = await lab.quantizeModel(model, calibration, {
          plan,
          calibration: { samples: 512 },
        });
        const fp32 = await lab.evaluate(model, slice);
        const integer = await lab.evaluate(quantized, slice);
        const cancels = [
          await cancelledMidway((options) =>
            lab.evaluate(model, test, { batchSize: 100, ...options }),
          ),
          // int8 calibrates (w4a8 has no static layers, so nothing to stop midway).
          await cancelledMidway((options) =>
            lab.quantizeModel(model, calibration, { plan: "int8", ...options }),
          ),
        ];
        await lab.dispose(quantized);
        await lab.dispose(model);
        return { plan, fp32: fp32.correct, integer: integer.correct, cancels };
      };

      const first: Record<string, Awaited<ReturnType<typeof cycle>>> = {};
      for (let i = 0; i < WARM_UP; i++) {
        const result = await cycle(i);
        first[result.plan] ??= result;
      }
      const warm = await lab.memoryUsage();
      for (let i = 0; i < CYCLES; i++) {
        const result = await cycle(i);
        expect(result).toEqual(first[result.plan]);
        expect(result.cancels).toEqual(["Aborted", "Aborted"]);
      }
      const after = await lab.memoryUsage();
      expect(after.handles).toBe(0);
      // wasm memory only grows: one leaked model (0.94 MB) per cycle would show at once.
      expect(after.wasmBytes).toBe(warm.wasmBytes);
    },
    // About 0.3 s a cycle on an idle machine; a loaded one is several times slower.
    60_000 + CYCLES * 5_000,
  );
});
