// `quantlab search` decides on a validation slice of the training split: with every test label
// changed (each shifted to the next class) it must write the same plan. Usage:
//   node search-ignores-test-labels.mjs <quantlab binary> <source dir> <work dir>
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [quantlab, source, work] = process.argv.slice(2);
const data = join(source, "build/data/mnist");
const swapped = join(work, "mnist-swapped-test-labels");
mkdirSync(swapped, { recursive: true });
for (const file of ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "test-images-idx3-ubyte"]) {
  copyFileSync(join(data, file), join(swapped, file));
}
const labels = readFileSync(join(data, "test-labels-idx1-ubyte"));
for (let i = 8; i < labels.length; i++) labels[i] = (labels[i] + 1) % 10;  // after the IDX header
writeFileSync(join(swapped, "test-labels-idx1-ubyte"), labels);

const plan = (dataDir, out) => {
  execFileSync(quantlab, ["search", "models/mnist-mlp", "--budget", "4.5bpw", "--validation",
    "1000", "--calib-size", "256", "--data", dataDir, "--out", out], { cwd: source, stdio: "pipe" });
  return readFileSync(out, "utf8");
};
const original = plan(data, join(work, "plan-original.json"));
const withSwapped = plan(swapped, join(work, "plan-swapped.json"));
if (original !== withSwapped) {
  console.error("the search chose a different plan when the test labels changed");
  process.exit(1);
}
console.log("same plan with swapped test labels:", JSON.parse(original).name);
