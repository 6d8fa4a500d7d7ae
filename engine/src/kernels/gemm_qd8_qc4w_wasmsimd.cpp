// W4A8 GEMM with WebAssembly SIMD128. Per 16-byte block (4 columns × 8 k) the nibbles become
// four i16x8 vectors of codes with one shift and/or mask each (no widening needed: each code
// sits in its own i16 lane already), and each meets a splatted pair of centered activations in
// i32x4.dot_i16x8. Per group the exact sum Σ a·u is corrected to Σ a·(u - zp) with the
// activations' group sum, then scaled by the group's weight scale and accumulated in f32; the
// activation scale and the bias are applied once at the end.
#include <vector>

#include "common/simd128.h"
#include "kernels/gemm_blocking.h"
#include "kernels/kernel_impls.h"
#include "kernels/qc4w_blocks.h"

namespace quantlab::kernels {
namespace {

// Where a kernel's per-group results go: the raw accumulator API stores them, the GEMM
// accumulates them scaled into f32.
enum class GroupOutput { store_i32, accumulate_f32 };

struct Problem {
  const CenteredRows& a;
  const PackedQC4W& w;
  const std::vector<int32_t>& group_sums;  // [m][groups] Σ of centered activations
  const float* bias;
  float* c;
  size_t ldc;
  int32_t* acc;  // per-group output, [m][n][groups]
};

template <int Pair, size_t Rows, size_t Tiles>
inline void dot_pair(const int16_t* const* rows, size_t k0, const v128_t* blocks,
                     v128_t (&sum)[Rows][Tiles]) {
  v128_t x[Rows];
  for (size_t r = 0; r < Rows; ++r) x[r] = wasm_v128_load32_splat(rows[r] + k0 + 2 * Pair);
  for (size_t t = 0; t < Tiles; ++t) {
    const v128_t codes = block_pair_codes<Pair>(blocks[t]);
    for (size_t r = 0; r < Rows; ++r) {
      sum[r][t] = wasm_i32x4_add(sum[r][t], wasm_i32x4_dot_i16x8(x[r], codes));
    }
  }
}

template <GroupOutput Output, bool Symmetric, size_t Rows, size_t Tiles>
void block(const Problem& p, size_t row0, size_t col0) {
  const PackedQC4W& w = p.w;
  const size_t groups = w.groups();
  const uint8_t* tile_blocks = qc4w_tile_blocks(w, col0);
  const size_t panel_tiles = qc4w_panel_tiles(w, col0);
  const int16_t* rows[Rows];
  for (size_t r = 0; r < Rows; ++r) rows[r] = p.a.row(row0 + r);

  v128_t out[Rows][Tiles];
  for (auto& row : out) std::fill(row, row + Tiles, wasm_f32x4_splat(0.0f));
  for (size_t g = 0; g < groups; ++g) {
    v128_t sum[Rows][Tiles];
    for (auto& row : sum) std::fill(row, row + Tiles, wasm_i32x4_splat(0));
    for_each_group_block<Tiles>(w, tile_blocks, panel_tiles, g,
                                [&](size_t k0, const v128_t* blocks) {
                                  dot_pair<0>(rows, k0, blocks, sum);
                                  dot_pair<1>(rows, k0, blocks, sum);
                                  dot_pair<2>(rows, k0, blocks, sum);
                                  dot_pair<3>(rows, k0, blocks, sum);
                                });
    for (size_t t = 0; t < Tiles; ++t) {
      const size_t param = packed_qc4w_param_index(w, col0 + t * kIntTileN, g);
      const v128_t scale = wasm_v128_load(w.scales.data() + param);
      for (size_t r = 0; r < Rows; ++r) {
        const v128_t group_sum = wasm_i32x4_splat(p.group_sums[(row0 + r) * groups + g]);
        // Symmetric codes all have zero point 8: a shift instead of loading and multiplying.
        static_assert(kSymmetricZeroPoint == 1 << 3);
        const v128_t correction =
            Symmetric
                ? wasm_i32x4_shl(group_sum, 3)
                : wasm_i32x4_mul(wasm_i32x4_load16x4(w.zero_points.data() + param), group_sum);
        const v128_t exact = wasm_i32x4_sub(sum[r][t], correction);
        if constexpr (Output == GroupOutput::store_i32) {
          alignas(16) int32_t lanes[kIntTileN];
          wasm_v128_store(lanes, exact);
          for (size_t j = 0; j < kIntTileN && col0 + t * kIntTileN + j < w.n; ++j) {
            p.acc[((row0 + r) * w.n + col0 + t * kIntTileN + j) * groups + g] = lanes[j];
          }
        } else {
          out[r][t] =
              wasm_f32x4_add(out[r][t], wasm_f32x4_mul(wasm_f32x4_convert_i32x4(exact), scale));
        }
      }
    }
  }
  if constexpr (Output == GroupOutput::accumulate_f32) {
    const size_t cols = std::min(Tiles * kIntTileN, w.n - col0);
    for (size_t r = 0; r < Rows; ++r) {
      const v128_t a_scale = wasm_f32x4_splat(p.a.scales[row0 + r]);
      for (size_t t = 0; t < Tiles; ++t) out[r][t] = wasm_f32x4_mul(out[r][t], a_scale);
      store_with_bias(out[r], cols, p.bias != nullptr ? p.bias + col0 : nullptr,
                      p.c + (row0 + r) * p.ldc + col0);
    }
  }
}

// Columns of a panel: `Tiles` tiles at a time while they fill it, then single tiles.
template <GroupOutput Output, bool Symmetric, size_t Rows, size_t Tiles>
void panel(const Problem& p, size_t row0, size_t col0, size_t cols) {
  if (cols == Tiles * kIntTileN) {
    block<Output, Symmetric, Rows, Tiles>(p, row0, col0);
    return;
  }
  for (size_t col = col0; col < col0 + cols; col += kIntTileN)
    block<Output, Symmetric, Rows, 1>(p, row0, col);
}

// GEMV (M = 1) takes 4 tiles per activation splat; GEMM blocks 3 rows × 2 tiles (measured
// faster under V8 than 2×2, 4×1 and 4×2). The GEMV is bound by the vector pipes, not by memory:
// measured in Node 20 at 1×4096×11008 it took 1.6–1.8 ms; with the unpacking skipped (wrong
// results, timing only) 1.22–1.36 ms, against 5.0–5.4 ms for our FP32 GEMV in the same process,
// so even free unpacking stays under 5× FP32. Tried and no faster: masks that leave codes scaled
// by 16 against activations times 16 (5 or 4 operations per block instead of 6, in one or two
// passes), and two far-apart panels at once (as the FP32 and INT8 GEMVs read).
template <GroupOutput Output, bool Symmetric>
void run(const Problem& p) {
  constexpr size_t kRows = 3;
  constexpr size_t kTiles = 2;
  constexpr size_t kGemvTiles = 4;
  const size_t panel_cols = (p.a.m == 1 ? kGemvTiles : kTiles) * kIntTileN;
  for_each_block<kRows>(p.a.m, p.w.n, p.a.kpad * sizeof(int16_t), panel_cols,
                        [&](size_t row0, size_t rows, size_t col0, size_t cols) {
                          if (p.a.m == 1) {
                            panel<Output, Symmetric, 1, kGemvTiles>(p, row0, col0, cols);
                            return;
                          }
                          with_rows<kRows>(rows, [&](auto r) {
                            panel<Output, Symmetric, r, kTiles>(p, row0, col0, cols);
                          });
                        });
}

}  // namespace

void gemm_qd8_qc4w_f32__wasmsimd(const CenteredRows& a, const PackedQC4W& w, const float* bias,
                                 float* c, size_t ldc) {
  const std::vector<int32_t> sums = centered_group_sums(a, w.group_size, w.groups());
  const Problem p{a, w, sums, bias, c, ldc, nullptr};
  w.symmetric ? run<GroupOutput::accumulate_f32, true>(p)
              : run<GroupOutput::accumulate_f32, false>(p);
}

void gemm_qs8_qc4w_group_i32__wasmsimd(const CenteredRows& a, const PackedQC4W& w, int32_t* acc) {
  const std::vector<int32_t> sums = centered_group_sums(a, w.group_size, w.groups());
  const Problem p{a, w, sums, nullptr, nullptr, 0, acc};
  w.symmetric ? run<GroupOutput::store_i32, true>(p) : run<GroupOutput::store_i32, false>(p);
}

}  // namespace quantlab::kernels
