// Fresh consumer projects: a folder with the given files and the tarball installed, nothing
// else from the registry. Tools the tests drive (tsc, vite) come from this repository's
// node_modules, as a consumer's own devDependencies would.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** A binary of this repository's node_modules (tsc, vite). */
export const repoBin = (name: string) =>
  join(repoRoot, "node_modules", ".bin", name);

/** Runs a command and returns its stdout; throws with its output if it fails. */
export function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" },
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `${command} ${args.join(" ")} failed in ${cwd}:\n${stdout ?? ""}${stderr ?? ""}`,
    );
  }
}

/** Makes `workspace/name` with `files` (path → text) and installs the tarball there. */
export function makeProject(
  workspace: string,
  name: string,
  tarball: string,
  files: Record<string, string>,
): string {
  const dir = join(workspace, name);
  const all = {
    "package.json": JSON.stringify({ name, private: true, type: "module" }),
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  // The tarball has no dependencies: nothing is fetched from the registry.
  run(
    "npm",
    ["install", tarball, "--offline", "--no-audit", "--no-fund", "--silent"],
    dir,
  );
  return dir;
}

/** The README's API example: the first ```js block after "## API". */
export function readmeExample(readme: string): string {
  const section = readme.slice(readme.indexOf("## API"));
  const match = /```js\n([\s\S]*?)```/.exec(section);
  if (match === null)
    throw new Error("README.md has no js example under ## API");
  return match[1]!;
}
