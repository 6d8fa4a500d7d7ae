// The three matrix products backprop needs, all routed through kernels::gemm_f32 (which computes
// C = A·Bᵀ with B packed) by transposing operands as required.
#pragma once

#include <cstddef>

namespace quantlab::train {

// dst[cols, rows] = src[rows, cols]ᵀ
void transpose(const float* src, size_t rows, size_t cols, float* dst);

// C[m, n] = A[m, k] · B[n, k]ᵀ
void matmul_abt(size_t m, size_t n, size_t k, const float* a, const float* b, float* c);
// C[m, n] = A[m, k] · B[k, n]
void matmul_ab(size_t m, size_t n, size_t k, const float* a, const float* b, float* c);
// C[m, n] += A[k, m]ᵀ · B[k, n]
void matmul_atb_accumulate(size_t m, size_t n, size_t k, const float* a, const float* b, float* c);

}  // namespace quantlab::train
