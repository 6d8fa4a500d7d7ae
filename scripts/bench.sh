#!/usr/bin/env bash
# `npm run bench` (after setup and build): kernels against the machine's roofline and ONNX
# Runtime Web, single thread, in Node. Extra arguments go to scripts/bench/main.ts (--quick,
# --no-ort, --case=TEXT). Node 20 runs relaxed SIMD only behind its V8 flag, and the fused relaxed
# dot right only on its optimizing compiler (--no-liftoff; docs/quantization.md §10.1).
set -euo pipefail
cd "$(dirname "$0")/.."
node --experimental-wasm-relaxed-simd --no-liftoff scripts/bench/run.mjs scripts/bench/main.ts "$@"
