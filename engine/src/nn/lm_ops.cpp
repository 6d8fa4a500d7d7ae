// LayerNorm, GELU and causal attention of the LM (nn_lm_ops.h); sums in double where a row's
// statistics are taken, so long rows do not lose the small terms.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "quantlab/nn_lm_ops.h"

namespace quantlab::nn::lm::ops {

void layer_norm(const float* x, size_t rows, size_t width, const float* gamma, const float* beta,
                float epsilon, float* y, float* mean, float* rstd) {
  for (size_t r = 0; r < rows; ++r) {
    const float* row = x + r * width;
    double sum = 0;
    for (size_t i = 0; i < width; ++i) sum += row[i];
    const double mu = sum / static_cast<double>(width);
    double squares = 0;
    for (size_t i = 0; i < width; ++i) squares += (row[i] - mu) * (row[i] - mu);
    const double inv = 1.0 / std::sqrt(squares / static_cast<double>(width) + epsilon);
    float* out = y + r * width;
    for (size_t i = 0; i < width; ++i) {
      out[i] = static_cast<float>((row[i] - mu) * inv) * gamma[i] + beta[i];
    }
    if (mean) mean[r] = static_cast<float>(mu);
    if (rstd) rstd[r] = static_cast<float>(inv);
  }
}

float gelu(float x) { return 0.5f * x * (1.0f + std::erf(x * std::numbers::sqrt2_v<float> / 2)); }

float gelu_derivative(float x) {
  const float cdf = 0.5f * (1.0f + std::erf(x * std::numbers::sqrt2_v<float> / 2));
  const float pdf =
      std::exp(-0.5f * x * x) * std::numbers::inv_sqrtpi_v<float> / std::numbers::sqrt2_v<float>;
  return cdf + x * pdf;
}

void gelu_inplace(float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] = gelu(x[i]);
}

void causal_attention(const AttentionArgs& a, float* out, size_t out_stride, float* probs) {
  const size_t keys = a.past + a.queries;
  const float scale = 1.0f / std::sqrt(static_cast<float>(a.head_dim));
  std::vector<float> weights(keys);
  for (size_t h = 0; h < a.heads; ++h) {
    const size_t column = h * a.head_dim;
    for (size_t i = 0; i < a.queries; ++i) {
      const float* q = a.q + i * a.q_stride + column;
      const size_t seen = a.past + i + 1;
      float top = -INFINITY;
      for (size_t j = 0; j < seen; ++j) {
        const float* k = a.k + j * a.kv_stride + column;
        float dot = 0;
        for (size_t d = 0; d < a.head_dim; ++d) dot += q[d] * k[d];
        weights[j] = dot * scale;
        top = std::max(top, weights[j]);
      }
      float total = 0;
      for (size_t j = 0; j < seen; ++j) {
        weights[j] = std::exp(weights[j] - top);
        total += weights[j];
      }
      float* o = out + i * out_stride + column;
      std::fill(o, o + a.head_dim, 0.0f);
      for (size_t j = 0; j < seen; ++j) {
        weights[j] /= total;
        const float* v = a.v + j * a.kv_stride + column;
        for (size_t d = 0; d < a.head_dim; ++d) o[d] += weights[j] * v[d];
      }
      if (probs) {
        float* p = probs + (h * a.queries + i) * keys;
        std::copy(weights.begin(), weights.begin() + seen, p);
        std::fill(p + seen, p + keys, 0.0f);
      }
    }
  }
}

}  // namespace quantlab::nn::lm::ops
