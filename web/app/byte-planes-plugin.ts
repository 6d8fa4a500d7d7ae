// The Vite plugin behind the shipped weights' byte-plane form (src/shell/byte-planes.ts), for
// the app's build (vite.config.ts) and for the library's tests that import app modules
// (web/vitest.config.ts).
import { readFileSync } from "node:fs";
import { basename, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";
import { CONTENT_TYPES as TYPES } from "./content-types.ts";
import { toBytePlanes } from "./src/shell/byte-planes.ts";

const modelsDir = fileURLToPath(new URL("../../models/", import.meta.url));

// `import url from "….safetensors?byte-planes"` gives the URL of that file as byte planes
// (src/shell/byte-planes.ts): a `.planes` asset in the build, made on request by `vite dev`.
const BYTE_PLANES = "?byte-planes";
export function shippedWeightsAsBytePlanes(): Plugin {
  let serving = false;
  return {
    name: "quantlab-byte-planes",
    enforce: "pre",
    configResolved(config) {
      serving = config.command === "serve";
    },
    load(id) {
      if (!id.endsWith(BYTE_PLANES)) return null;
      const file = id.slice(0, -BYTE_PLANES.length);
      if (serving)
        return `export default ${JSON.stringify(`/@fs${file}${BYTE_PLANES}`)};`;
      const ref = this.emitFile({
        type: "asset",
        name: `${basename(file, ".safetensors")}.planes`,
        source: toBytePlanes(readFileSync(file)),
      });
      return `export default import.meta.ROLLUP_FILE_URL_${ref};`;
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent(req.url ?? "");
        if (!path.startsWith("/@fs/") || !path.endsWith(BYTE_PLANES))
          return next();
        const file = normalize(path.slice("/@fs".length, -BYTE_PLANES.length));
        if (!file.startsWith(modelsDir) || !file.endsWith(".safetensors"))
          return next();
        res.setHeader("Content-Type", TYPES[".planes"]!);
        res.end(toBytePlanes(readFileSync(file)));
      });
    },
  };
}
