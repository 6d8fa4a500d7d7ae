// Packs the repository once for every consumer test: `npm pack` runs prepack, which builds, so
// this also proves a tarball cannot miss its wasm. The folder is removed afterwards.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { repoRoot, run } from "./project";

declare module "vitest" {
  export interface ProvidedContext {
    /** The packed tarball's path. */
    tarball: string;
    /** The temporary folder the consumer projects are made in. */
    workspace: string;
  }
}

export default function setup(project: TestProject): () => void {
  const workspace = mkdtempSync(join(tmpdir(), "quantlab-consumer-"));
  run("npm", ["pack", "--pack-destination", workspace, "--silent"], repoRoot);
  const tarball = readdirSync(workspace).find((file) => file.endsWith(".tgz"));
  if (tarball === undefined) throw new Error("npm pack made no tarball");
  project.provide("tarball", join(workspace, tarball));
  project.provide("workspace", workspace);
  return () => rmSync(workspace, { recursive: true, force: true });
}
