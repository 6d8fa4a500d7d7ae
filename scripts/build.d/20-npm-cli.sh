#!/usr/bin/env bash
# Bundles the npm package's command line (web/lib/src/cli.ts) into web/lib/dist/cli.mjs, the
# file package.json's "bin" runs with node. The engine (web/lib/wasm/) stays outside the bundle:
# from web/lib/dist/ the loader's relative paths reach it as they do from web/lib/src/, and a
# rebuilt engine needs no re-bundling. Rolldown is Vite's own bundler (installed with vite).
set -euo pipefail
cd "$(dirname "$0")/../.."
npx rolldown web/lib/src/cli.ts --platform node --format esm --file web/lib/dist/cli.mjs \
  --external ../wasm/quantlab-engine.mjs --banner '#!/usr/bin/env node' >/dev/null
chmod +x web/lib/dist/cli.mjs
