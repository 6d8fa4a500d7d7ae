// (a) A Node project ("type": "module") with only the tarball installed runs the README's API
// example verbatim and the package's CLI on a shipped model.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { makeProject, readmeExample, repoRoot, run } from "./project";

let dir: string;
beforeAll(() => {
  const example = readmeExample(
    readFileSync(join(repoRoot, "README.md"), "utf8"),
  );
  dir = makeProject(inject("workspace"), "node-app", inject("tarball"), {
    "example.js": example,
  });
});

describe("a Node project", () => {
  it("runs the README's example as written", () => {
    const out = run("node", ["example.js"], dir);
    expect(out).toContain("mnist-cnn: 98.30%");
    expect(out).toContain("[ 2, 10 ] 20");
    expect(out).toMatch(/SQNR 2\d\.\d dB at 5 bits per weight/);
  });

  it("runs `npx quantlab eval` on a shipped model", () => {
    const out = run(
      "npx",
      ["--no-install", "quantlab", "eval", "models/mnist-mlp"],
      dir,
    );
    expect(out).toMatch(/mnist-mlp: test accuracy 96\.25% .*reproduced/s);
  });

  it("runs the installed package's threaded engine where Node has the cores", () => {
    const out = run(
      "node",
      [
        "--input-type=module",
        "-e",
        `import { createQuantLab } from "quantlab";
const lab = createQuantLab({ threads: 2 });
console.log(JSON.stringify(await lab.info()));
await lab.dispose();`,
      ],
      dir,
    );
    expect(JSON.parse(out)).toMatchObject({ threads: 2, build: "threads" });
  });
});
