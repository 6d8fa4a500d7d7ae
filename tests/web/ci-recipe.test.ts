// README.md's "Regression gate in CI" recipe, executed as written: the ```sh block of that
// section is read from the README, and each `npx quantlab ...` line runs the package's built bin
// (web/lib/dist/cli.js, what `npx quantlab` starts) in a fresh folder, as a CI job would.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = join(root, "web/lib/dist/cli.js");

/** The `npx quantlab` commands of the README section, as argument lists (no quoting needed). */
function recipe(): string[][] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Regression gate in CI"));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (block === null)
    throw new Error("README.md: no sh block in the CI recipe");
  return block[1]!
    .split("\n")
    .filter((line) => line.startsWith("npx quantlab "))
    .map((line) => line.split(/\s+/).slice(2));
}

describe("the README's CI recipe", () => {
  const dir = mkdtempSync(join(tmpdir(), "quantlab-ci-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("records a baseline, passes the gate on a re-measurement and compares the two", () => {
    const commands = recipe();
    expect(commands.map((args) => args[0])).toEqual([
      "report",
      "report",
      "compare",
    ]);
    const outputs = commands.map((args) =>
      // Throws (with the output) on a non-zero exit: the gate must pass on the same model.
      execFileSync(process.execPath, [cli, ...args], {
        cwd: dir,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    expect(existsSync(join(dir, "baseline.json"))).toBe(true);
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
    expect(report.format).toBe("quantlab-report");
    expect(report.engine_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(outputs[2]).toContain("quantlab gate: passed");
    expect(outputs[2]).toMatch(
      /\| int4-g32 \| [\d.]+% → [\d.]+% \| \+0\.00 \|/,
    );
  }, 300_000);
});
