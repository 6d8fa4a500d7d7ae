// The lab's Vite build. Every *.html file next to this config is a page of the app (a view of
// the lab), so a new view needs no change here.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const appDir = fileURLToPath(new URL(".", import.meta.url));
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

const pages = Object.fromEntries(
  readdirSync(appDir)
    .filter((file) => file.endsWith(".html"))
    .map((file) => [file.replace(/\.html$/, ""), `${appDir}${file}`]),
);

export default defineConfig({
  root: appDir,
  // The app imports the library by its package name, exactly as an outside app would.
  resolve: { alias: { quantlab: `${repoRoot}web/lib/src/index.ts` } },
  // Relative URLs: the built app works from any folder it is served from.
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    rollupOptions: { input: pages },
  },
  // Module workers that import the library (and its .wasm) need ES output.
  worker: { format: "es" },
  // The library lives outside the app folder; the dev server may read it.
  server: { fs: { allow: [repoRoot] } },
});
