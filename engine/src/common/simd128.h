// The one place that chooses where WebAssembly SIMD128 intrinsics come from. Compiled to wasm
// with -msimd128 they are the real instructions; natively SIMDe implements the same API, so
// native tests run the very same kernel source.
#pragma once

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#else
#define SIMDE_WASM_SIMD128_ENABLE_NATIVE_ALIASES
#include <simde/wasm/simd128.h>
#endif
