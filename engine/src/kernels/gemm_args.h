// Argument checks shared by every public GEMM entry point.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>

#include "quantlab/error.h"
#include "quantlab/quant.h"

namespace quantlab::kernels {

// A[M, K] with row stride lda, C[M, N] with row stride ldc, W packed from [N, K].
inline void validate_gemm(size_t m, const void* a, size_t lda, size_t k, size_t n, const void* c,
                          size_t ldc) {
  require(n > 0 && k > 0, [&] {
    return "packed weights are empty (N = " + std::to_string(n) + ", K = " + std::to_string(k) +
           ")";
  });
  require(lda >= k,
          [&] { return "lda " + std::to_string(lda) + " is smaller than K " + std::to_string(k); });
  require(ldc >= n,
          [&] { return "ldc " + std::to_string(ldc) + " is smaller than N " + std::to_string(n); });
  require(m == 0 || (a != nullptr && c != nullptr), "A or C is null");
}

// Affine parameters of int8 values: positive finite scale, zero point inside int8.
inline void validate_int8_params(AffineParams params, const std::string& what) {
  require(params.scale > 0.0f && params.scale < INFINITY && params.zero_point >= -128 &&
              params.zero_point <= 127,
          [&] {
            return what + " parameters need a positive scale and an int8 zero point, got scale " +
                   std::to_string(params.scale) + ", zero point " +
                   std::to_string(params.zero_point);
          });
}

inline void validate_activation_params(AffineParams params) {
  validate_int8_params(params, "activation");
}

}  // namespace quantlab::kernels
