#!/usr/bin/env node
// `quantlab`, the npm package's command line (Node). `quantlab eval <model dir> [--data DIR]`
// loads a model through the library, evaluates it on its dataset's test split and checks the
// accuracy the manifest recorded, like the native CLI (engine/cli/eval.cpp).
//
// The package's "bin" is this file built (web/lib/dist/cli.js). A model directory that does
// not exist where the command runs is looked up in the package, which ships models/, so
// `quantlab eval models/mnist-cnn` works from any folder. Test data defaults to the gzipped
// test splits the package ships (web/app/public/data/<dataset>); raw IDX files are read when present.
import { existsSync, realpathSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createQuantLab } from "./index.node.js";

const USAGE = "usage: quantlab eval <model dir> [--data DIR]";

// web/lib/src/cli.ts and web/lib/dist/cli.js are both two levels below web/.
const appData = fileURLToPath(
  new URL("../../app/public/data/", import.meta.url),
);
const packageRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** `dir` as given, or the package's own copy when only that exists. */
function modelDirectory(dir: string): string {
  const shipped = join(packageRoot, dir);
  return !existsSync(dir) && existsSync(shipped) ? shipped : dir;
}

/** `path`, or `path`.gz when only that exists. */
function readMaybeGzipped(path: string): Promise<Uint8Array> {
  return readFile(
    !existsSync(path) && existsSync(`${path}.gz`) ? `${path}.gz` : path,
  );
}

/** Runs `work`; an error's message gets `place` (the directory at fault) in front. */
async function naming<T>(place: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new Error(
      `${place}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function parseEvalArguments(args: string[]): {
  modelDir: string;
  dataDir?: string;
} {
  const positional: string[] = [];
  let dataDir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--data") {
      if (i + 1 === args.length)
        throw new Error(`option --data needs a value\n${USAGE}`);
      dataDir = args[++i];
    } else if (arg.startsWith("--"))
      throw new Error(`unknown option ${arg}\n${USAGE}`);
    else positional.push(arg);
  }
  if (positional.length !== 1)
    throw new Error(`eval needs exactly one model directory\n${USAGE}`);
  return { modelDir: positional[0]!, dataDir };
}

async function evalCommand(
  args: string[],
  print: (line: string) => void,
): Promise<number> {
  const { modelDir, dataDir } = parseEvalArguments(args);
  // In this thread: one short job, and no worker to start.
  const lab = createQuantLab({ worker: false });
  try {
    const model = await naming(modelDir, async () => {
      const dir = modelDirectory(modelDir);
      const [manifest, weights] = await Promise.all([
        readFile(join(dir, "manifest.json")),
        readFile(join(dir, "model.safetensors")),
      ]);
      return lab.loadModel({ manifest, weights });
    });
    const { name, dataset, metrics } = model.manifest;
    const dir = dataDir ?? join(appData, dataset);
    const test = await naming(dir, async () =>
      lab.parseIdxDataset(
        await readMaybeGzipped(join(dir, "test-images-idx3-ubyte")),
        await readMaybeGzipped(join(dir, "test-labels-idx1-ubyte")),
      ),
    );
    const result = await lab.evaluate(model, test);
    const percent = (fraction: number) => `${(100 * fraction).toFixed(2)}%`;
    print(
      `${name}: test accuracy ${percent(result.accuracy)} (${result.correct} / ${result.count}) on ${dataset}`,
    );
    // The manifest records what training measured; the same weights and data must reproduce it.
    const recorded = (metric: string): number => {
      const value = metrics[metric];
      if (value === undefined)
        throw new Error(`manifest.json metrics has no '${metric}'`);
      return value;
    };
    const reproduced =
      recorded("test_correct") === result.correct &&
      recorded("test_count") === result.count;
    print(
      `recorded in manifest: ${percent(recorded("test_accuracy"))} (${recorded("test_correct")} / ${recorded("test_count")}): ${reproduced ? "reproduced" : "NOT reproduced"}`,
    );
    return reproduced ? 0 : 1;
  } finally {
    await lab.dispose();
  }
}

/** Runs the CLI on `args` (the arguments after `quantlab`); resolves to the exit code. */
export async function main(
  args: string[],
  print: (line: string) => void = console.log,
  printError: (line: string) => void = console.error,
): Promise<number> {
  const [command, ...rest] = args;
  if (command === "--help" || command === "help") {
    print(USAGE);
    return 0;
  }
  if (command !== "eval") {
    printError(
      command === undefined
        ? USAGE
        : `quantlab: unknown command '${command}'\n${USAGE}`,
    );
    return 2;
  }
  try {
    return await evalCommand(rest, print);
  } catch (error) {
    printError(
      `quantlab eval: error: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
}

// Run when executed (directly or through the npm bin link), not when imported by tests.
const invokedAs = process.argv[1];
if (
  invokedAs !== undefined &&
  pathToFileURL(realpathSync(invokedAs)).href === import.meta.url
) {
  process.exitCode = await main(process.argv.slice(2));
}
