// Backward passes of the LM's per-row math (quantlab/nn_lm_ops.h) and of a Linear on a row batch.
#pragma once

#include <cstddef>

#include "quantlab/nn_lm_ops.h"

namespace quantlab::train::lm {

// Given the forward's x, mean and rstd: dx = rstd · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)) with
// dx̂ = dy · γ, written into dx; dγ += Σ dy · x̂, dβ += Σ dy.
void layer_norm_backward(const float* x, const float* mean, const float* rstd, const float* gamma,
                         const float* dy, size_t rows, size_t width, float* dx, float* dgamma,
                         float* dbeta);

// Given the forward's arguments and probs, d_out (rows at out_stride): adds into dq, dk, dv
// (laid out like q, k, v: rows at q_stride / kv_stride).
void causal_attention_backward(const nn::lm::ops::AttentionArgs& args, const float* probs,
                               const float* d_out, size_t out_stride, float* dq, float* dk,
                               float* dv);

// y[rows, out] = x[rows, in] · Wᵀ + b.
void linear_forward(const float* x, size_t rows, size_t in, size_t out, const float* weight,
                    const float* bias, float* y);
// dW += dyᵀ · x, db += Σ rows dy (db may be null), dx = dy · W (dx may be null).
void linear_backward(const float* x, const float* dy, size_t rows, size_t in, size_t out,
                     const float* weight, float* dweight, float* dbias, float* dx);

}  // namespace quantlab::train::lm
