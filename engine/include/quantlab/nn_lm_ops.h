// The per-row math of the transformer blocks (layer 4), shared by inference (nn_lm.h) and training
// (train_lm.h), which adds the backward passes. Plain loops, the reference; generation's attention
// and GELU, a large part of each token next to its Linears, also have SIMD128 versions here.
#pragma once

#include <cstddef>

namespace quantlab::nn::lm::ops {

// Eq. 58: y = (x − μ) / sqrt(σ² + ε) · γ + β per row of `width` values. mean / rstd (rows
// values each, may be null) receive μ and 1 / sqrt(σ² + ε) for the backward pass.
void layer_norm(const float* x, size_t rows, size_t width, const float* gamma, const float* beta,
                float epsilon, float* y, float* mean, float* rstd);

// Eq. 59: GELU(x) = x · Φ(x) (the exact form, PyTorch's default), in place over n values.
float gelu(float x);
float gelu_derivative(float x);
void gelu_inplace(float* x, size_t n);
// The same GELU with erf from a rational approximation (Eq. 55), four values at a time with
// SIMD128: what generation and scoring run. Within 3e-7 · max(1, |x|) of gelu (tests/engine/nn/
// lm_gelu_test.cpp); training keeps the exact form and its derivative.
void gelu_fast_inplace(float* x, size_t n);

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

// The key cache as generation keeps it, transposed so that one channel of consecutive keys is
// contiguous: channel c = h·head_dim + d of key j at keys_t[c·keys_t_stride + j].
struct CachedAttentionArgs {
  size_t queries = 0;
  size_t past = 0;
  size_t heads = 0;
  size_t head_dim = 0;
  const float* q = nullptr;
  size_t q_stride = 0;
  const float* keys_t = nullptr;
  size_t keys_t_stride = 0;  // at least past + queries
  const float* v = nullptr;  // past + queries rows
  size_t v_stride = 0;
};

// causal_attention (Eq. 52) over the transposed key cache with SIMD128: q·k four keys at a time,
// Σ p·v four channels at a time. Each score, exponent, sum and output is computed in the same
// order as causal_attention's scalar loops (mul then add, no fused multiply-add), so the outputs
// are the same bits; causal_attention stays the reference and the training path.
void cached_attention(const CachedAttentionArgs& args, float* out, size_t out_stride);

}  // namespace quantlab::nn::lm::ops
