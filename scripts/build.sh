#!/usr/bin/env bash
# Builds everything the tests, the demo and the benchmarks use:
#   build/native   g++ engine, GoogleTest binaries, the quantlab CLI
#   build/wasm     Emscripten engine and tests; web/lib/wasm/quantlab-engine.{mjs,wasm}
#   web/app/dist   the Vite app
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/emscripten-env.sh
jobs=$(nproc)

cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/native -j "$jobs"

if [ ! -f build/wasm/CMakeCache.txt ]; then
  emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CROSSCOMPILING_EMULATOR="$(command -v node);--no-experimental-fetch" >/dev/null
fi
cmake --build build/wasm -j "$jobs"

for step in scripts/build.d/*.sh; do
  [ -e "$step" ] && bash "$step"
done
npx vite build --config web/app/vite.config.ts --logLevel warn
