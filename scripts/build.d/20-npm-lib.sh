#!/usr/bin/env bash
# Builds the npm package's library (web/lib/src → web/lib/dist: ES modules + .d.ts, the worker
# entries and the `quantlab` bin) with tsc. The engine (web/lib/wasm/) stays where CMake writes
# it; from web/lib/dist/ the loader's relative URLs reach it as they do from web/lib/src/.
# Runs before the app's build, which imports the library through the package's exports.
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf web/lib/dist
npx tsc -p web/lib
chmod +x web/lib/dist/cli.js
