#!/usr/bin/env bash
# Runs every test suite against what scripts/build.sh built; fails when any suite fails.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/emscripten-env.sh

failed=()
run() {
  local name=$1
  shift
  echo "==== $name"
  if ! "$@"; then failed+=("$name"); fi
}

run "native CLI and layer order (ctest)" ctest --test-dir build/native --output-on-failure -j "$(nproc)"
# ASan + UBSan (build/sanitize): any report aborts the test that made it. Left out: the
# whole-model accuracy cases (thousands of images through every shipped model and preset, 70% of
# this run's time under the sanitizers, on code the smaller cases and the fuzz targets run here
# too); build/native and build/wasm run them.
whole_model='^(ShippedModels\.|IntegerExecution\.AgreesWithTheSimulatedPath|Gptq\.LayerOutputError.*ShippedLayers|QuantizedModelFile\.RoundTrip|Search\.(FrontIsOrdered|AnAccuracyFloor)|Qat\.(IntegerModelAgrees|ConvolutionalModelAgreesToo))'
run "engine, native with ASan + UBSan (ctest)" ctest --test-dir build/sanitize \
  --output-on-failure -j "$(nproc)" -E "$whole_model"
run "fuzz targets, ${QUANTLAB_FUZZ_SECONDS:-20} s each (libFuzzer)" \
  env QUANTLAB_FUZZ_SECONDS="${QUANTLAB_FUZZ_SECONDS:-20}" bash scripts/fuzz.sh
run "engine, wasm under Node (ctest)" ctest --test-dir build/wasm --output-on-failure -j "$(nproc)"
run "TypeScript types (tsc)" npx tsc -p web
run "library (vitest)" npx vitest run --config web/vitest.config.ts
run "app in Chromium (playwright)" npx playwright test --config tests/e2e/playwright.config.ts
run "npm package in fresh Node, TypeScript and Vite projects" \
  npx vitest run --config tests/consumer/vitest.config.ts

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all test suites passed"
