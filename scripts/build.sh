#!/usr/bin/env bash
# Builds everything the tests, the demo and the benchmarks use:
#   build/native   g++ engine, GoogleTest binaries, the quantlab CLI
#   build/sanitize clang engine with ASan + UBSan: GoogleTest binaries and the libFuzzer targets
#                  of tests/fuzz (CMakeLists.txt, QUANTLAB_SANITIZE; -O1, the sanitizers' usual
#                  level)
#   build/wasm     Emscripten engine and tests; web/lib/wasm/quantlab-engine.{mjs,wasm}
#   build/wasm-threads  the pthreads engine: web/lib/wasm/quantlab-engine-threads.{mjs,wasm,worker.js}
#   web/lib/dist  the npm package's library (scripts/build.d/20-npm-lib.sh)
#   web/app/dist   the Vite app, which imports the library through the package's exports
# --package builds only what the npm tarball holds (no native build, no app): npm's prepack.
set -euo pipefail
package_only=false
[ "${1:-}" = "--package" ] && package_only=true
cd "$(dirname "$0")/.."
source scripts/emscripten-env.sh
jobs=$(nproc)

if ! $package_only; then
  # The native build holds the developer CLI and its tests; the unit tests run in build/sanitize
  # and build/wasm (CMakeLists.txt, QUANTLAB_UNIT_TESTS).
  cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release -DQUANTLAB_UNIT_TESTS=OFF >/dev/null
  cmake --build build/native -j "$jobs"
  if [ ! -f build/sanitize/CMakeCache.txt ]; then
    CC=clang CXX=clang++ cmake -S . -B build/sanitize -DQUANTLAB_SANITIZE=ON \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 >/dev/null
  fi
  cmake --build build/sanitize -j "$jobs"
fi

if [ ! -f build/wasm/CMakeCache.txt ]; then
  emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CROSSCOMPILING_EMULATOR="$(command -v node);--no-experimental-fetch" >/dev/null
fi
if $package_only; then
  cmake --build build/wasm -j "$jobs" --target quantlab_wasm
else
  cmake --build build/wasm -j "$jobs"
fi

# The threaded engine (Emscripten pthreads): the whole engine again with -pthread, module only
# (its kernels are the same code as the tests above check; tests/web checks its results).
if [ ! -f build/wasm-threads/CMakeCache.txt ]; then
  emcmake cmake -S . -B build/wasm-threads -DCMAKE_BUILD_TYPE=Release -DQUANTLAB_WASM_THREADS=ON \
    -DQUANTLAB_TESTS=OFF >/dev/null
fi
cmake --build build/wasm-threads -j "$jobs" --target quantlab_wasm

for step in scripts/build.d/*.sh; do
  [ -e "$step" ] && bash "$step"
done
$package_only || npx vite build --config web/app/vite.config.ts --logLevel warn
