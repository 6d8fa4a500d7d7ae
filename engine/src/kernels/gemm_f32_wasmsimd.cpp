// FP32 GEMM/GEMV with WebAssembly SIMD128. Weights come in tiles of 8 columns (two v128 per k,
// see packed_layouts.h).
//
// GEMM: a kRows × 8 register block. Per k it loads the tile's two weight vectors once and one
// splatted activation per row, then does 2 · kRows multiplies and adds, so loads per mul+add
// pair fall to (kRows + 2) / (2 · kRows). The accumulators (2 · kRows) plus the two weight
// vectors and a splat must fit the 16 v128 registers of x86-64 (V8 keeps one for scratch).
//
// GEMV (M = 1): nothing is reused across rows, so the kernel is bound by streaming the weights.
// It reads several tiles at a time (gemv_streams); the last few tiles one at a time, K unrolled by
// 4 with independent accumulators so that the add latency never stalls the loads. Large GEMVs
// split their tiles across threads (gemv).
#include <algorithm>
#include <cstring>

#include "common/simd128.h"
#include "kernels/gemm_blocking.h"
#include "kernels/kernel_impls.h"
#include "kernels/packed_layouts.h"

namespace quantlab::kernels {
namespace {

constexpr size_t kRows = 4;

// The bias of one tile, zero where the tile is past N or there is no bias.
struct TileBias {
  alignas(16) float values[kF32TileN] = {};
  TileBias(const float* bias, size_t col0, size_t cols) {
    if (bias != nullptr) std::copy(bias + col0, bias + col0 + cols, values);
  }
};

void store_row(v128_t lo, v128_t hi, float* c, size_t cols) {
  if (cols == kF32TileN) {
    wasm_v128_store(c, lo);
    wasm_v128_store(c + 4, hi);
    return;
  }
  alignas(16) float row[kF32TileN];
  wasm_v128_store(row, lo);
  wasm_v128_store(row + 4, hi);
  std::memcpy(c, row, cols * sizeof(float));
}

inline v128_t mul_add(v128_t acc, v128_t x, v128_t w) {
  return wasm_f32x4_add(acc, wasm_f32x4_mul(x, w));
}

template <size_t Rows>
void gemm_block(size_t k, const float* a, size_t lda, const float* w, const TileBias& bias,
                float* c, size_t ldc, size_t cols) {
  v128_t lo[Rows];
  v128_t hi[Rows];
  for (size_t r = 0; r < Rows; ++r) {
    lo[r] = wasm_v128_load(bias.values);
    hi[r] = wasm_v128_load(bias.values + 4);
  }
  for (size_t i = 0; i < k; ++i) {
    const v128_t w_lo = wasm_v128_load(w);
    const v128_t w_hi = wasm_v128_load(w + 4);
    w += kF32TileN;
    for (size_t r = 0; r < Rows; ++r) {
      const v128_t x = wasm_v128_load32_splat(a + r * lda + i);
      lo[r] = mul_add(lo[r], x, w_lo);
      hi[r] = mul_add(hi[r], x, w_hi);
    }
  }
  for (size_t r = 0; r < Rows; ++r) store_row(lo[r], hi[r], c + r * ldc, cols);
}

void gemv_tile(size_t k, const float* a, const float* w, const TileBias& bias, float* c,
               size_t cols) {
  constexpr size_t kUnroll = 4;
  v128_t lo[kUnroll] = {wasm_v128_load(bias.values), wasm_f32x4_splat(0), wasm_f32x4_splat(0),
                        wasm_f32x4_splat(0)};
  v128_t hi[kUnroll] = {wasm_v128_load(bias.values + 4), wasm_f32x4_splat(0), wasm_f32x4_splat(0),
                        wasm_f32x4_splat(0)};
  size_t i = 0;
  for (; i + kUnroll <= k; i += kUnroll) {
    for (size_t u = 0; u < kUnroll; ++u) {
      const v128_t x = wasm_v128_load32_splat(a + i + u);
      lo[u] = mul_add(lo[u], x, wasm_v128_load(w + u * kF32TileN));
      hi[u] = mul_add(hi[u], x, wasm_v128_load(w + u * kF32TileN + 4));
    }
    w += kUnroll * kF32TileN;
  }
  for (; i < k; ++i) {
    const v128_t x = wasm_v128_load32_splat(a + i);
    lo[0] = mul_add(lo[0], x, wasm_v128_load(w));
    hi[0] = mul_add(hi[0], x, wasm_v128_load(w + 4));
    w += kF32TileN;
  }
  store_row(wasm_f32x4_add(wasm_f32x4_add(lo[0], lo[1]), wasm_f32x4_add(lo[2], lo[3])),
            wasm_f32x4_add(wasm_f32x4_add(hi[0], hi[1]), wasm_f32x4_add(hi[2], hi[3])), c, cols);
}

// A GEMV reads kStreams tiles at once, one from each quarter of the columns, so that the streams
// sit far apart in memory; one splat per k serves them all. Measured in Node 20, medians: at
// 1×4096×11008 (180 MB) one tile at a time (K unrolled by 4) streamed 22–24 GB/s, 2 or 4
// adjacent tiles 23–30 GB/s, 4 tiles a quarter of the columns apart 29–32 GB/s, matching the best
// streaming probe (2 streams, 29–37 GB/s in the same runs); at 1×1024×1024 (4 MB, in cache)
// 0.085 → 0.063 ms.
constexpr size_t kStreams = 4;

// Full tiles first_tile + s · span for s < kStreams.
void gemv_streams(size_t k, const float* a, const float* packed, const float* bias,
                  size_t first_tile, size_t span, float* c) {
  v128_t acc[kStreams][2];
  const float* at[kStreams];
  for (size_t s = 0; s < kStreams; ++s) {
    const size_t col0 = (first_tile + s * span) * kF32TileN;
    const TileBias tile_bias(bias, col0, kF32TileN);
    acc[s][0] = wasm_v128_load(tile_bias.values);
    acc[s][1] = wasm_v128_load(tile_bias.values + 4);
    at[s] = packed + col0 * k;
  }
  for (size_t i = 0; i < k; ++i) {
    const v128_t x = wasm_v128_load32_splat(a + i);
    for (size_t s = 0; s < kStreams; ++s) {
      acc[s][0] = mul_add(acc[s][0], x, wasm_v128_load(at[s] + i * kF32TileN));
      acc[s][1] = mul_add(acc[s][1], x, wasm_v128_load(at[s] + i * kF32TileN + 4));
    }
  }
  for (size_t s = 0; s < kStreams; ++s) {
    store_row(acc[s][0], acc[s][1], c + (first_tile + s * span) * kF32TileN, kF32TileN);
  }
}

// Large GEMVs split their units across threads (gemm_blocking.h, for_gemv_units).
void gemv(size_t k, const float* a, const float* packed, size_t n, const float* bias, float* c) {
  for_gemv_units(
      n, kF32TileN, kStreams, n * k * sizeof(float),
      [&](size_t tile, size_t span) { gemv_streams(k, a, packed, bias, tile, span, c); },
      [&](size_t col0, size_t cols) {
        gemv_tile(k, a, packed + col0 * k, TileBias(bias, col0, cols), c + col0, cols);
      });
}

}  // namespace

void gemm_f32__wasmsimd(size_t m, const float* a, size_t lda, const PackedF32& w, const float* bias,
                        float* c, size_t ldc) {
  const float* packed = reinterpret_cast<const float*>(w.data.data());
  if (m == 1) {
    gemv(w.k, a, packed, w.n, bias, c);
    return;
  }
  for_each_block<kRows>(m, w.n, w.k * sizeof(float), kF32TileN,
                        [&](size_t row0, size_t rows, size_t col0, size_t cols) {
                          const float* tile = packed + col0 * w.k;
                          const TileBias tile_bias(bias, col0, cols);
                          const float* a_rows = a + row0 * lda;
                          float* c_rows = c + row0 * ldc + col0;
                          with_rows<kRows>(rows, [&](auto r) {
                            gemm_block<r>(w.k, a_rows, lda, tile, tile_bias, c_rows, ldc, cols);
                          });
                        });
}

}  // namespace quantlab::kernels
