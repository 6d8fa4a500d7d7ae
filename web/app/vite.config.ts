// The lab's Vite build. Every *.html file next to this config is a page of the app (a view of
// the lab), so a new view needs no change here.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const appDir = fileURLToPath(new URL(".", import.meta.url));

const pages = Object.fromEntries(
  readdirSync(appDir)
    .filter((file) => file.endsWith(".html"))
    .map((file) => [file.replace(/\.html$/, ""), `${appDir}${file}`]),
);

export default defineConfig({
  root: appDir,
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
  // `quantlab` needs no alias: the repository's package.json is the package, so the import
  // resolves through its exports to the built library (web/lib/dist), as in an outside app.
});
