// Backward passes of LayerNorm, causal attention and Linear for the LM trainer (lm_backward.h).
#include "train/lm_backward.h"

#include <cmath>
#include <vector>

#include "train/matmul.h"

namespace quantlab::train::lm {

void layer_norm_backward(const float* x, const float* mean, const float* rstd, const float* gamma,
                         const float* dy, size_t rows, size_t width, float* dx, float* dgamma,
                         float* dbeta) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * width;
    const float* g = dy + r * width;
    double sum_dxhat = 0;
    double sum_dxhat_xhat = 0;
    for (size_t i = 0; i < width; ++i) {
      const float xhat = (xr[i] - mean[r]) * rstd[r];
      const float dxhat = g[i] * gamma[i];
      sum_dxhat += dxhat;
      sum_dxhat_xhat += static_cast<double>(dxhat) * xhat;
      dgamma[i] += g[i] * xhat;
      dbeta[i] += g[i];
    }
    const auto n = static_cast<double>(width);
    const auto mean_dxhat = static_cast<float>(sum_dxhat / n);
    const auto mean_dxhat_xhat = static_cast<float>(sum_dxhat_xhat / n);
    for (size_t i = 0; i < width; ++i) {
      const float xhat = (xr[i] - mean[r]) * rstd[r];
      dx[r * width + i] = rstd[r] * (g[i] * gamma[i] - mean_dxhat - xhat * mean_dxhat_xhat);
    }
  }
}

void causal_attention_backward(const nn::lm::ops::AttentionArgs& a, const float* probs,
                               const float* d_out, size_t out_stride, float* dq, float* dk,
                               float* dv) {
  const size_t keys = a.past + a.queries;
  const float scale = 1.0f / std::sqrt(static_cast<float>(a.head_dim));
  std::vector<float> d_scores(keys);
  for (size_t h = 0; h < a.heads; ++h) {
    const size_t column = h * a.head_dim;
    for (size_t i = 0; i < a.queries; ++i) {
      const float* p = probs + (h * a.queries + i) * keys;
      const float* g = d_out + i * out_stride + column;
      const size_t seen = a.past + i + 1;
      // dP_ij = dO_i · v_j; dV_j += P_ij · dO_i; then the softmax Jacobian.
      float weighted = 0;
      for (size_t j = 0; j < seen; ++j) {
        const float* v = a.v + j * a.kv_stride + column;
        float* dvj = dv + j * a.kv_stride + column;
        float dot = 0;
        for (size_t d = 0; d < a.head_dim; ++d) {
          dot += g[d] * v[d];
          dvj[d] += p[j] * g[d];
        }
        d_scores[j] = dot;
        weighted += p[j] * dot;
      }
      const float* q = a.q + i * a.q_stride + column;
      float* dqi = dq + i * a.q_stride + column;
      for (size_t j = 0; j < seen; ++j) {
        const float ds = p[j] * (d_scores[j] - weighted) * scale;
        const float* k = a.k + j * a.kv_stride + column;
        float* dkj = dk + j * a.kv_stride + column;
        for (size_t d = 0; d < a.head_dim; ++d) {
          dqi[d] += ds * k[d];
          dkj[d] += ds * q[d];
        }
      }
    }
  }
}

void linear_forward(const float* x, size_t rows, size_t in, size_t out, const float* weight,
                    const float* bias, float* y) {
  matmul_abt(rows, out, in, x, weight, y);
  if (bias == nullptr) return;
  for (size_t r = 0; r < rows; ++r) {
    for (size_t o = 0; o < out; ++o) y[r * out + o] += bias[o];
  }
}

void linear_backward(const float* x, const float* dy, size_t rows, size_t in, size_t out,
                     const float* weight, float* dweight, float* dbias, float* dx) {
  matmul_atb_accumulate(out, in, rows, dy, x, dweight);
  if (dbias != nullptr) {
    for (size_t r = 0; r < rows; ++r) {
      for (size_t o = 0; o < out; ++o) dbias[o] += dy[r * out + o];
    }
  }
  if (dx != nullptr) matmul_ab(rows, in, out, dy, weight, dx);
}

}  // namespace quantlab::train::lm
