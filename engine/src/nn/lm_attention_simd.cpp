// The LM's attention over its key/value cache with SIMD128 (nn_lm_ops.h, cached_attention): the
// shared FP32 work of every generated token that issue 15 measured as the largest part after the
// Linears. Lanes are keys in q·k and channels in Σ p·v, so no lane sums across the other axis
// and every value keeps causal_attention's order of operations.
#include <algorithm>
#include <cmath>
#include <vector>

#include "common/simd128.h"
#include "quantlab/nn_lm_ops.h"

namespace quantlab::nn::lm::ops {
namespace {

// out[x] = Σ_t a[t] · rows[t·stride + x] for x < count, t ascending, mul then add: q·k for
// `count` keys of a transposed cache (a = q, t = channel), and Σ p·v for `count` channels
// (a = softmax weights, t = key). Lanes run along x, so each out[x] is the scalar loop's sum.
void weighted_rows(const float* a, size_t terms, const float* rows, size_t stride, size_t count,
                   float* out) {
  size_t x = 0;
  for (; x + 8 <= count; x += 8) {
    v128_t low = wasm_f32x4_splat(0.0f);
    v128_t high = wasm_f32x4_splat(0.0f);
    for (size_t t = 0; t < terms; ++t) {
      const v128_t at = wasm_f32x4_splat(a[t]);
      const float* row = rows + t * stride + x;
      low = wasm_f32x4_add(low, wasm_f32x4_mul(at, wasm_v128_load(row)));
      high = wasm_f32x4_add(high, wasm_f32x4_mul(at, wasm_v128_load(row + 4)));
    }
    wasm_v128_store(out + x, low);
    wasm_v128_store(out + x + 4, high);
  }
  for (; x + 4 <= count; x += 4) {
    v128_t sum = wasm_f32x4_splat(0.0f);
    for (size_t t = 0; t < terms; ++t) {
      sum = wasm_f32x4_add(
          sum, wasm_f32x4_mul(wasm_f32x4_splat(a[t]), wasm_v128_load(rows + t * stride + x)));
    }
    wasm_v128_store(out + x, sum);
  }
  for (; x < count; ++x) {
    float sum = 0;
    for (size_t t = 0; t < terms; ++t) sum += a[t] * rows[t * stride + x];
    out[x] = sum;
  }
}

}  // namespace

void cached_attention(const CachedAttentionArgs& a, float* out, size_t out_stride) {
  const size_t keys = a.past + a.queries;
  const float scale = 1.0f / std::sqrt(static_cast<float>(a.head_dim));
  std::vector<float> weights(keys);
  for (size_t h = 0; h < a.heads; ++h) {
    const size_t column = h * a.head_dim;
    const float* keys_t = a.keys_t + column * a.keys_t_stride;
    for (size_t i = 0; i < a.queries; ++i) {
      const size_t seen = a.past + i + 1;
      weighted_rows(a.q + i * a.q_stride + column, a.head_dim, keys_t, a.keys_t_stride, seen,
                    weights.data());
      for (size_t j = 0; j < seen; ++j) weights[j] *= scale;
      const float top = *std::max_element(weights.begin(), weights.begin() + seen);
      float total = 0;
      for (size_t j = 0; j < seen; ++j) {
        weights[j] = std::exp(weights[j] - top);
        total += weights[j];
      }
      for (size_t j = 0; j < seen; ++j) weights[j] /= total;
      weighted_rows(weights.data(), seen, a.v + column, a.v_stride, a.head_dim,
                    out + i * out_stride + column);
    }
  }
}

}  // namespace quantlab::nn::lm::ops
