import { readFileSync } from "node:fs";
import { createQuantLab } from "../../web/lib/src/index.node";
import { measureInterleaved } from "../../web/app/src/bench/timing";
const read = (p: string) => new Uint8Array(readFileSync(p));
const files = { manifest: read("models/fashion-cnn/manifest.json"), weights: read("models/fashion-cnn/model.safetensors") };
const labs = [createQuantLab({ worker: false, threads: 1 }), createQuantLab({ worker: false, threads: 2 })];
console.log((await labs[0]!.info()).build, (await labs[1]!.info()).build);
const data = (lab: (typeof labs)[0], s: string) => lab.parseIdxDataset(read(`web/app/public/data/fashion-mnist/${s}-images-idx3-ubyte.gz`), read(`web/app/public/data/fashion-mnist/${s}-labels-idx1-ubyte.gz`));
const test = await data(labs[0]!, "test"); const cal = await data(labs[0]!, "calibration");
const handles = [];
for (const lab of labs) {
  const m = await lab.loadModel(files);
  handles.push({ fp32: m, int8: await lab.quantizeModel(m, cal, { plan: "int8" }), w4a8: await lab.quantizeModel(m, cal, { plan: "w4a8" }) });
}
for (const p of ["fp32", "int8", "w4a8"] as const) {
  const [a, b] = await measureInterleaved([async () => labs[0]!.evaluate(handles[0]![p], test), async () => labs[1]!.evaluate(handles[1]![p], test)], { warmupMs: 0, samples: 5, minSampleMs: 0 });
  console.log(`${p}: evaluate 10,000: 1 thread ${a!.median.toFixed(0)} ms, 2 threads ${b!.median.toFixed(0)} ms, ${(a!.median / b!.median).toFixed(2)}x  samples ${a!.samples?.map?.((x: number) => x.toFixed(0))} | ${b!.samples?.map?.((x: number) => x.toFixed(0))}`);
}
if (process.argv.includes("--report")) {
  const t: number[][] = [[], []];
  for (let r = 0; r < 2; ++r) for (const i of [0, 1]) {
    const s = performance.now();
    await labs[i]!.report(handles[i]!.fp32, test, cal);
    t[i]!.push((performance.now() - s) / 1000);
  }
  console.log(`report wall s: 1 thread ${t[0]!.map((x) => x.toFixed(1))}, 2 threads ${t[1]!.map((x) => x.toFixed(1))}`);
}
for (const lab of labs) await lab.dispose();
