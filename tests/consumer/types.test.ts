// (b) A TypeScript project type-checks its use of the installed package under
// `moduleResolution: NodeNext` and `bundler`. One deliberate type error must be reported: were
// any export silently `any` (e.g. an unresolvable import in the .d.ts under skipLibCheck), it
// would pass unnoticed, so each setting also runs with skipLibCheck on.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { makeProject, repoBin, run } from "./project";

const USE = `import { createQuantLab, QuantLabError, type ModelHandle, type RunResult } from "quantlab";

export async function accuracyOf(files: { manifest: Uint8Array; weights: Uint8Array }, images: Uint8Array, labels: Uint8Array): Promise<number> {
  const lab = createQuantLab({ worker: false, wasm: "/assets/quantlab-engine.wasm" });
  const model: ModelHandle = await lab.loadModel(files);
  const name: string = model.manifest.name;
  const out: RunResult = await lab.run(model, new Float32Array(784), [1, 1, 28, 28]);
  const evaluation = await lab.evaluate(model, { images, labels }, {
    batchSize: 500,
    signal: AbortSignal.timeout(1000),
    onProgress: (p) => console.log(p.done, p.total, p.detail?.accuracy),
  });
  try {
    await lab.train(model, { images, labels }, { epochs: 1, onProgress: (p) => p.detail?.loss });
  } catch (error) {
    if (error instanceof QuantLabError && error.code === "Aborted") return 0;
  }
  await lab.dispose(model);
  await lab.dispose();
  return evaluation.accuracy + out.shape.length + name.length;
}
`;

// Passing a string where labelled images belong.
const MISTAKE = `import { createQuantLab } from "quantlab";
const lab = createQuantLab();
const model = await lab.loadModel({ manifest: "{}", weights: new Uint8Array() });
await lab.evaluate(model, "test-images.gz");
`;

const tsconfig = (moduleResolution: string, skipLibCheck: boolean) =>
  JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      module: moduleResolution === "NodeNext" ? "NodeNext" : "ESNext",
      moduleResolution,
      lib: ["ES2022", "DOM"],
      types: [],
      strict: true,
      noEmit: true,
      skipLibCheck,
    },
    include: ["src"],
  });

let dir: string;
beforeAll(() => {
  dir = makeProject(inject("workspace"), "types-app", inject("tarball"), {
    "src/use.ts": USE,
    "src/mistake.ts": MISTAKE,
  });
});

/** tsc's diagnostics for one configuration (tsc exits non-zero when there are any). */
function check(moduleResolution: string, skipLibCheck: boolean): string {
  const config = `tsconfig.${moduleResolution}.${skipLibCheck}.json`;
  writeFileSync(join(dir, config), tsconfig(moduleResolution, skipLibCheck));
  try {
    return run(repoBin("tsc"), ["-p", config, "--pretty", "false"], dir);
  } catch (error) {
    return String(error);
  }
}

describe.each(["NodeNext", "bundler"])("moduleResolution %s", (resolution) => {
  it.each([false, true])(
    "reports exactly the deliberate error (skipLibCheck %s)",
    (skip) => {
      const errors = check(resolution, skip)
        .split("\n")
        .filter((line) => /error TS\d+/.test(line));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        /src\/mistake\.ts\(4,\d+\): error TS2345: Argument of type 'string'/,
      );
    },
  );
});
