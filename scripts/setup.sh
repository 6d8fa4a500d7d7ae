#!/usr/bin/env bash
# Installs what the build and the tests need, and nothing that is already there:
# Debian packages by name (apt-get), npm packages from the lock file (npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages and the file each one provides that we check for.
declare -A NEEDED=(
  [cmake]=/usr/bin/cmake
  [g++]=/usr/bin/g++
  [emscripten]=/usr/bin/emcc
  [clang-19]=/usr/bin/clang-19
  [lld-19]=/usr/bin/wasm-ld-19
  [googletest]=/usr/src/googletest/CMakeLists.txt
  [libsimde-dev]=/usr/include/simde/wasm/simd128.h
  [nlohmann-json3-dev]=/usr/include/nlohmann/json.hpp
  [zlib1g-dev]=/usr/include/zlib.h
  [dataset-fashion-mnist]=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
  [chromium]=/usr/bin/chromium
  [clang]=/usr/bin/clang++
  [libclang-rt-14-dev]=/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
  [llvm]=/usr/bin/llvm-symbolizer
)
missing=()
for package in "${!NEEDED[@]}"; do
  [ -e "${NEEDED[$package]}" ] || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "quantlab setup: missing Debian packages. Run as root:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "quantlab setup: installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm ci only when node_modules does not hold what the lock file names (npm records what it
# installed in node_modules/.package-lock.json).
if ! node scripts/lock-matches.mjs; then
  echo "quantlab setup: installing npm packages from package-lock.json"
  # Playwright drives Debian's Chromium; it must never download a browser of its own.
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
