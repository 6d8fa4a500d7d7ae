// The native CLI and the npm CLI quantize the language model from the same calibration text, so
// the LM report's quality columns and a seeded continuation agree exactly (issue 15: the npm
// CLI's gptq-int4-g32 row once differed from native's, the native CLI calibrating on train.txt
// and the npm CLI on the shipped slice). --calib-size 128 asks for more windows than the slice
// holds: both must stop at the same 64. Both machine lines state the threads the engine used.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../../web/lib/src/cli";

const root = fileURLToPath(new URL("../../", import.meta.url));
// Built by scripts/build.sh before the tests, as in gate.test.ts.
const native = join(root, "build/native/quantlab");

const nativeRun = (args: string[]) =>
  execFileSync(native, args, {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });

async function npmRun(args: string[]): Promise<string> {
  const out: string[] = [];
  expect(
    await main(
      args,
      (line) => out.push(line),
      () => {},
    ),
  ).toBe(0);
  return out.join("\n");
}

/** The report's table without the two speed columns, and its calibration sentence. */
function quality(markdown: string): string[] {
  const lines = markdown.split("\n");
  return [
    lines.find((l) => l.includes("windows of the calibration text"))!,
    ...lines
      .filter((l) => l.startsWith("| ") && !l.startsWith("| plan"))
      .map((l) => l.split("|").slice(1, 9).join("|")),
  ];
}

describe.skipIf(!existsSync(native))(
  "native and npm CLIs on the language model",
  () => {
    it("report the same perplexity, KL and agreement for GPTQ INT4 g32", async () => {
      const args = [
        "report",
        "models/brown-lm",
        "--plans",
        "gptq-int4-g32,w4a8",
        "--tokens",
        "1024",
        "--speed-rounds",
        "1",
        "--calib-size",
        "128",
      ];
      const nativeOut = nativeRun(args);
      const npmOut = await npmRun(args);
      const fromNative = quality(nativeOut);
      expect(fromNative[0]).toContain("calibration: 64 windows");
      expect(fromNative).toHaveLength(4);
      expect(quality(npmOut)).toEqual(fromNative);
      // The machine lines say what the engine ran with (lab.info()), not a fixed "one thread".
      const cores = availableParallelism();
      expect(npmOut).toContain(
        cores === 1
          ? "1 thread (single-threaded engine build)"
          : `${cores} threads (pthreads engine build)`,
      );
      expect(nativeOut).toMatch(/Machine: native build .*, \d+ threads?, on /);
    }, 180_000);

    it("continue a prompt with the same text under GPTQ", async () => {
      const args = [
        "generate",
        "models/brown-lm",
        "--plan",
        "gptq-int4-g32",
        "--prompt",
        "The jury said",
        "--tokens",
        "48",
        "--seed",
        "3",
      ];
      const fromNative = nativeRun(args).replace(/\n$/, ""); // the text may end in a space
      expect(fromNative).toHaveLength(48);
      expect(await npmRun(args)).toBe(fromNative);
    }, 120_000);
  },
);
