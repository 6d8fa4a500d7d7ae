// Fails when an engine source includes a header of a layer above its own, or another layer's
// private header (DESIGN.md: the layers only look down). Layers and their order come from the
// one list in CMakeLists.txt; public headers quantlab/<x>.h belong to the layer named by x's
// prefix (nn_ops.h → nn), error.h/impl.h/tensor.h/version.h to tensor, roofline.h and threads.h
// to kernels.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const cmake = readFileSync(join(root, "CMakeLists.txt"), "utf8");
const order = cmake.match(/set\(QUANTLAB_LAYERS ([^)]*)\)/)[1].trim().split(/\s+/);
const deps = Object.fromEntries(
  order.map((layer) => {
    const m = cmake.match(new RegExp(`set\\(QUANTLAB_LAYER_DEPS_${layer} ([^)]*)\\)`));
    const list = m[1].replace(/"/g, "").trim();
    return [layer, list ? list.split(/\s+/) : []];
  }),
);
// Everything a layer may reach: its dependencies and theirs.
const reachable = (layer, seen = new Set([layer])) => {
  for (const dep of deps[layer]) if (!seen.has(dep)) reachable(dep, seen.add(dep));
  return seen;
};
const headerLayer = {
  error: "tensor",
  impl: "tensor",
  version: "tensor",
  roofline: "kernels",
  threads: "kernels",
};
const layerOfHeader = (name) => {
  const stem = name.replace(/\.h$/, "");
  return headerLayer[stem] ?? order.find((l) => stem === l || stem.startsWith(`${l}_`));
};

const problems = [];
for (const layer of order) {
  let files;
  try {
    // Subfolders too (kernels/relaxed/): they belong to the layer they sit in.
    files = readdirSync(join(root, "engine/src", layer), { recursive: true }).filter((f) =>
      /\.(h|cpp)$/.test(f),
    );
  } catch {
    continue; // a layer with only a public header so far
  }
  const allowed = reachable(layer);
  for (const file of files) {
    const text = readFileSync(join(root, "engine/src", layer, file), "utf8");
    for (const [, path] of text.matchAll(/^#include "([^"]+)"/gm)) {
      const [dir, name] = path.split("/");
      const where = `engine/src/${layer}/${file}: #include "${path}"`;
      if (dir === "quantlab") {
        const target = layerOfHeader(name);
        if (target === undefined) problems.push(`${where}: no layer owns this header`);
        else if (!allowed.has(target))
          problems.push(`${where}: ${layer} may not look up to ${target}`);
      } else if (dir !== layer && dir !== "common") {
        problems.push(`${where}: private header of another layer; make it public or move it to common/`);
      }
    }
  }
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`engine layer order holds: ${order.join(" → ")}`);
