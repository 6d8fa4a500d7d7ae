// Where the relaxed-SIMD kernels get their intrinsics. Compiled by clang-19 with -mrelaxed-simd
// (the separate quantlab-relaxed.wasm module) they are the real instructions; natively the
// relaxed dot product is written out below over SIMDe's SIMD128 (SIMDe has none), so native
// tests run the very same kernel source.
//
// The shim is Arm's sdot: both operands read as signed bytes, the 4 products of a lane summed
// exactly into the accumulator. On second operands in [0, 127] every lowering agrees with it
// (docs/quantization.md §10.1); on full bytes it is one of the readings the engine's probe
// recognizes (Eq. 58), so native tests run the INT8 kernel's one-dot layout too.
#pragma once

#include <stdint.h>

#if defined(__wasm_relaxed_simd__)
#include <wasm_simd128.h>
#else
#include "common/simd128.h"

// i32 lane j = c[j] + Σ_{i<4} a[4j+i]·b[4j+i] (a, b: i8).
inline v128_t wasm_i32x4_relaxed_dot_i8x16_i7x16_add(v128_t a, v128_t b, v128_t c) {
  // Products fit in i16 (|−128 · −128| = 16384); pairs of them are widened before any add.
  const v128_t lo = wasm_i32x4_extadd_pairwise_i16x8(wasm_i16x8_extmul_low_i8x16(a, b));
  const v128_t hi = wasm_i32x4_extadd_pairwise_i16x8(wasm_i16x8_extmul_high_i8x16(a, b));
  const v128_t even = wasm_i32x4_shuffle(lo, hi, 0, 2, 4, 6);
  const v128_t odd = wasm_i32x4_shuffle(lo, hi, 1, 3, 5, 7);
  return wasm_i32x4_add(c, wasm_i32x4_add(even, odd));
}

#endif

// Loops over a register block's rows and tiles unroll fully, so that its accumulator arrays
// become registers (SROA) instead of memory on a stack the module does not have.
#if defined(__clang__)
#define QUANTLAB_UNROLL _Pragma("clang loop unroll(full)")
#else
#define QUANTLAB_UNROLL
#endif

// The first `count` (≤ 4) 32-bit lanes of v to out, one constant-lane extract each: a local
// array indexed at run time would live on a stack, and the module has none (relaxed_abi.h).
template <typename T>
inline void store_lanes(v128_t v, T* out, uint32_t count) {
  static_assert(sizeof(T) == 4);
  if (count > 0) wasm_v128_store32_lane(out, v, 0);
  if (count > 1) wasm_v128_store32_lane(out + 1, v, 1);
  if (count > 2) wasm_v128_store32_lane(out + 2, v, 2);
  if (count > 3) wasm_v128_store32_lane(out + 3, v, 3);
}

// The module's entry points: C names, exported from the wasm module under the same name.
#if defined(__wasm__)
#define QUANTLAB_RELAXED_EXPORT(name) extern "C" __attribute__((export_name(#name)))
#else
#define QUANTLAB_RELAXED_EXPORT(name) extern "C"
#endif
