// Argument checks shared by every public GEMM entry point.
#pragma once

#include <cstddef>
#include <string>

#include "quantlab/error.h"

namespace quantlab::kernels {

// A[M, K] with row stride lda, C[M, N] with row stride ldc, W packed from [N, K].
inline void validate_gemm(size_t m, const void* a, size_t lda, size_t k, size_t n, const void* c,
                          size_t ldc) {
  require(n > 0 && k > 0, "packed weights are empty (N = " + std::to_string(n) +
                              ", K = " + std::to_string(k) + ")");
  require(lda >= k, "lda " + std::to_string(lda) + " is smaller than K " + std::to_string(k));
  require(ldc >= n, "ldc " + std::to_string(ldc) + " is smaller than N " + std::to_string(n));
  require(m == 0 || (a != nullptr && c != nullptr), "A or C is null");
}

}  // namespace quantlab::kernels
