#!/usr/bin/env bash
# Bundles the npm package's command line (web/lib/src/cli.ts) into web/lib/dist/cli.mjs, the
# file package.json's "bin" runs with node. It stays beside web/lib/wasm/, which the loader
# finds relative to the bundle. Rolldown is Vite's own bundler (installed with vite).
set -euo pipefail
cd "$(dirname "$0")/../.."
npx rolldown web/lib/src/cli.ts --platform node --format esm --file web/lib/dist/cli.mjs \
  --banner '#!/usr/bin/env node' --logLevel warn
chmod +x web/lib/dist/cli.mjs
