// Minifies an Emscripten engine glue file in place (CMake runs it after linking quantlab_wasm).
// Emscripten 3.1.6 only strips whitespace from its glue; the threaded glue is fetched as a file
// (each pthread Worker imports it by URL), so no bundler minifies it for the lab and it counted
// 22 KB brotli of the 1 MiB first visit. Mangling local names here takes it to 16.5 KB. The
// glue reaches compiled code only through string keys (Module["..."], wasmExports["..."]) and
// Embind generates its invokers with `new Function` from parameter names it passes itself, so
// renaming locals is safe; the engine's tests all run on the minified file.
import { readFileSync, writeFileSync } from "node:fs";
import { minifySync } from "vite";

const [file] = process.argv.slice(2);
if (!file)
  throw new Error("usage: node scripts/minify-engine-glue.mjs <glue.mjs>");
const { code, errors } = minifySync(file, readFileSync(file, "utf8"), {
  compress: true,
  mangle: true,
  module: true,
});
if (errors.length > 0)
  throw new Error(`${file}: ${errors.map((e) => e.message).join("; ")}`);
writeFileSync(file, code);
