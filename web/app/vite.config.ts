// The lab's Vite build. Every *.html file next to this config is a view of the lab (a page of
// one multi-page app sharing the shell in src/shell), so a new view needs no change here.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { compressForTheWire } from "./compress.ts";
import { CONTENT_TYPES as TYPES } from "./content-types.ts";
import { shippedWeightsAsBytePlanes } from "./byte-planes-plugin.ts";

const appDir = fileURLToPath(new URL(".", import.meta.url));

const pages = Object.fromEntries(
  readdirSync(appDir)
    .filter((file) => file.endsWith(".html"))
    .map((file) => [file.replace(/\.html$/, ""), `${appDir}${file}`]),
);

// Cross-origin isolation lets the library cancel engine work at once (shared memory) and
// keeps every resource same-origin.
const isolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

// `vite preview` (and so `npm run demo` and the browser tests) serves the built files
// brotli-compressed, as a production server would: the engine and the models are most of
// the first visit. Compressed once per file and kept in memory.
function compressedPreview(): Plugin {
  const cache = new Map<string, Buffer>();
  return {
    name: "quantlab-compressed-preview",
    configurePreviewServer(server) {
      const root = join(appDir, "dist");
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent((req.url ?? "/").split("?")[0]!);
        const file = normalize(
          join(root, path.endsWith("/") ? `${path}index.html` : path),
        );
        const type = TYPES[extname(file)];
        const accepts = String(req.headers["accept-encoding"] ?? "");
        if (
          !file.startsWith(root) ||
          type === undefined ||
          !/\bbr\b/.test(accepts)
        )
          return next();
        let body = cache.get(file);
        if (body === undefined) {
          try {
            if (!statSync(file).isFile()) return next();
          } catch {
            return next();
          }
          body = compressForTheWire(readFileSync(file));
          cache.set(file, body);
        }
        res.setHeader("Content-Type", type);
        res.setHeader("Content-Encoding", "br");
        res.setHeader("Vary", "Accept-Encoding");
        // Vite names what it emits under assets/ by content hash, so those files never change:
        // cached for good, as production servers serve them (the threaded engine's glue is
        // fetched again by every pthread Worker, from the cache then). The rest is revalidated.
        res.setHeader(
          "Cache-Control",
          path.startsWith("/assets/")
            ? "public, max-age=31536000, immutable"
            : "no-cache",
        );
        for (const [name, value] of Object.entries(isolation))
          res.setHeader(name, value);
        res.end(body);
      });
      // After Vite's own static files: anything else is a real 404, with a page saying so.
      return () => {
        server.middlewares.use((_req, res) => {
          res.statusCode = 404;
          res.setHeader("Content-Type", "text/html; charset=utf-8");
          res.end(readFileSync(join(root, "404.html")));
        });
      };
    },
  };
}

// What every view's HTML shares, written once: `<!-- quantlab:head -->` in a view's <head>
// becomes the lines below, `<scroll-table label="…" …>…</scroll-table>` a table's
// sideways-scrolling region (focusable, so keyboard users can scroll it; named for screen
// readers), its other attributes kept, and `<docs-link page="plans.md">§2</docs-link>` a link
// to that page of docs/. The 404 page stays self-contained.
const VIEW_HEAD = `<meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <link rel="icon" href="./favicon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="./src/styles/lab.css" />
    <link rel="stylesheet" href="./src/styles/app.css" />`;

const DOCS = "https://github.com/quantlab/quantlab/blob/main/docs/";

function viewPartials(): Plugin {
  return {
    name: "quantlab-view-partials",
    transformIndexHtml: {
      // Before Vite reads the page's links and scripts, so the shared ones are bundled too.
      order: "pre",
      handler: (html) =>
        html
          .replace("<!-- quantlab:head -->", VIEW_HEAD)
          .replace(
            /<scroll-table\s+label="([^"]*)"([^>]*)>/g,
            '<div class="table-scroll" tabindex="0" role="region" aria-label="$1 (scrolls sideways)"$2>',
          )
          .replaceAll("</scroll-table>", "</div>")
          .replace(
            /<docs-link page="([\w.-]+)">([^<]*)<\/docs-link>/g,
            (_, page: string, section: string) =>
              `<a href="${DOCS}${page}">docs/${page}${section ? ` ${section}` : ""}</a>`,
          ),
    },
  };
}

export default defineConfig({
  root: appDir,
  // Relative URLs: the built app works from any folder it is served from.
  base: "./",
  // One HTML file per view; an unknown path is a real 404, not the landing page.
  appType: "mpa",
  plugins: [viewPartials(), shippedWeightsAsBytePlanes(), compressedPreview()],
  server: { headers: isolation },
  preview: { headers: isolation },
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
