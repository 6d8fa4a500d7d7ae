#!/usr/bin/env bash
# Builds quantlab-relaxed.wasm, the relaxed-SIMD kernels module (engine/src/kernels/relaxed/),
# with Debian's clang-19 and wasm-ld-19: Emscripten 3.1.6's clang 14 has no relaxed-SIMD
# builtins. The module is freestanding (no libc), imports the engine's memory and exports its
# kernels, which the engine places in its own function table (kernels/relaxed_kernels.cpp).
# Usage: build-relaxed-wasm.sh [--shared-memory] OUTPUT SOURCE...
# --shared-memory: for the threaded engine, whose memory is shared (a module must import a shared
# memory to be given one; its loads and stores stay plain, as the engine's own do).
set -euo pipefail
compile_flags=()
link_flags=()
if [ "$1" = "--shared-memory" ]; then
  compile_flags=(-matomics -mbulk-memory)
  link_flags=(--shared-memory --max-memory=4294967296)
  shift
fi
out=$1
shift
root="$(cd "$(dirname "$0")/.." && pwd)"
objects=()
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for source in "$@"; do
  object="$tmp/$(basename "$source" .cpp).o"
  clang-19 --target=wasm32 -std=c++20 -O3 -msimd128 -mrelaxed-simd -ffreestanding -nostdlib \
    -fno-exceptions -fno-rtti -Wall -Wextra -Werror "${compile_flags[@]}" -I"$root/engine/src" \
    -c "$source" -o "$object"
  objects+=("$object")
done
wasm-ld-19 --no-entry --import-memory "${link_flags[@]}" --strip-all -o "$tmp/relaxed.wasm" \
  "${objects[@]}"
# The module shares the engine's memory but has no stack or data region of its own there: a
# kernel that reads its stack pointer (a local array the compiler could not keep in registers)
# would write into the engine's memory, so the build refuses it.
if wasm-dis "$tmp/relaxed.wasm" | grep -q 'global.get\|(data '; then
  echo "build-relaxed-wasm: $out would use a stack or data in the engine's memory" >&2
  exit 1
fi
mv "$tmp/relaxed.wasm" "$out"
