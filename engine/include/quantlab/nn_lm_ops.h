// The per-row math of the transformer blocks (layer 4), shared by inference (nn_lm.h) and training
// (train_lm.h), which adds the backward passes. Plain loops: at width 128 and context 128 these
// are a small part of a token's work next to the Linear layers on the kernels.
#pragma once

#include <cstddef>

namespace quantlab::nn::lm::ops {

// Eq. 50: y = (x − μ) / sqrt(σ² + ε) · γ + β per row of `width` values. mean / rstd (rows
// values each, may be null) receive μ and 1 / sqrt(σ² + ε) for the backward pass.
void layer_norm(const float* x, size_t rows, size_t width, const float* gamma, const float* beta,
                float epsilon, float* y, float* mean, float* rstd);

// Eq. 51: GELU(x) = x · Φ(x) (the exact form, PyTorch's default), in place over n values.
float gelu(float x);
float gelu_derivative(float x);
void gelu_inplace(float* x, size_t n);

// Where one sequence's queries, keys and values are: row r of q at q + r·q_stride; head h's
// slice starts at column h·head_dim.
struct AttentionArgs {
  size_t queries = 0;  // new positions
  size_t past = 0;     // positions before them (cached); query i sees keys 0 … past + i
  size_t heads = 0;
  size_t head_dim = 0;
  const float* q = nullptr;
  size_t q_stride = 0;
  const float* k = nullptr;  // past + queries rows
  const float* v = nullptr;
  size_t kv_stride = 0;
};

// Eq. 52, causal: out[i, head] = Σ_j softmax_j(q_i · k_j / sqrt(head_dim)) · v_j over j ≤ past + i.
// out rows have `out_stride`; probs (may be null) receives the softmax weights
// [heads][queries][past + queries], zero above the diagonal.
void causal_attention(const AttentionArgs& args, float* out, size_t out_stride, float* probs);

}  // namespace quantlab::nn::lm::ops
