// The calls from the engine into the relaxed-SIMD kernels. The kernels live in a separate wasm
// module (quantlab-relaxed.wasm, compiled by clang-19, freestanding: no libc, no stack, no data)
// that shares the engine's memory; the engine calls them through its function table with one
// pointer to these plain structs, so both compilers agree on the layout (wasm32: 4-byte
// pointers and integers, no padding).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace quantlab::kernels::relaxed {

// W4A8: acc = Σ_{k∈g} (a − z_a)(u − z_w) per group (Eq. 16 with Eq. 57).
struct QC4WArgs {
  uint32_t m;
  uint32_t n;
  uint32_t kpad;  // k rounded up to blocks of 8
  uint32_t groups;
  uint32_t group_size;  // in k: a multiple of 8, or k
  uint32_t k;
  uint32_t symmetric;            // zero point 8 for every group
  const int8_t* a;               // [m][kpad] codes, each block of 8 k as k = 0 4 1 5 2 6 3 7
  const int32_t* a_zero_points;  // [m]
  const int32_t* centered_sums;  // [m][groups] Σ_{k∈g} (a − z_a)
  const float* a_scales;         // [m]
  const uint8_t* packed;         // PackedQC4W::data
  const float* scales;           // PackedQC4W order: per (tile, group, column of the tile)
  const int16_t* zero_points;    // same order
  const int32_t* code_sums;      // same order: Σ_{k∈g} u
  const float* bias;             // f32 output: may be null
  float* c;                      // f32 output [m][ldc], or null for the per-group output
  uint32_t ldc;
  int32_t* acc;  // per-group output [m][n][groups] when c is null
  // The columns computed, [col_begin, col_end): col_begin a multiple of 16 (a panel), col_end
  // one too or n, so a range holds whole panels (a GEMV's columns split across threads).
  uint32_t col_begin;
  uint32_t col_end;
};

// INT8 weights: acc[m][n] = Σ_k c[m, k] · w[n, k], c the centered activations (Eq. 56, 58).
struct QC8WArgs {
  uint32_t m;
  uint32_t n;
  uint32_t kpad;     // multiple of 8
  uint32_t planes;   // 2: c + 255 as 4 low, 4 high bytes (Eq. 56); 1: c + d_r (Eq. 58)
  const uint8_t* a;  // [block of 2 rows][k quad][row][planes · 4 bytes]; rows past m are zero
  const int32_t* offsets;  // [m]: d_r (255 for two planes)
  const int8_t* packed;    // PackedQC8W::data (k-pair panels, packed_layouts.h)
  int8_t* scratch;         // 16 · kpad + 64 bytes: one panel in k quads, its column sums
  int32_t* acc;
  uint32_t ldacc;
};

}  // namespace quantlab::kernels::relaxed
