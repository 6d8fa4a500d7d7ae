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
  // The app imports `quantlab` by its package name, resolved through the package's exports
  // (the repository root's package.json names itself quantlab) to the built library, exactly
  // as an outside app would. Pre-bundling would move the library away from its worker and
  // .wasm, which it finds by `new URL(..., import.meta.url)`: README, "Bundlers".
  optimizeDeps: { exclude: ["quantlab"] },
});
