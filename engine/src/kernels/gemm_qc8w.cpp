// Public int8-weight GEMMs: prepare the activations (static or dynamic), run the integer kernel
// picked by impl, then dequantize (and optionally requantize) the exact accumulators.
#include <span>
#include <string>
#include <vector>

#include "kernels/gemm_args.h"
#include "kernels/kernel_impls.h"

namespace quantlab::kernels {
namespace {

std::vector<int32_t> accumulate(const CenteredRows& a, const PackedQC8W& w, Impl impl) {
  std::vector<int32_t> acc(a.m * w.n);
  gemm_qs8_qc8w_i32_impl(a, w, acc.data(), w.n, impl);
  return acc;
}

// C = a_scale · w_scale · acc + bias (Eq. 1 applied to the product of two affine values). The
// loops are simple enough for the compiler to vectorize (a scalar loop cost 0.1 ms per 256 × 1024
// outputs); each element still sees the same float operations in the same order.
void dequantize_accumulators(const CenteredRows& a, const PackedQC8W& w,
                             const std::vector<int32_t>& acc, const float* bias, float* c,
                             size_t ldc) {
  for (size_t i = 0; i < a.m; ++i) {
    const float a_scale = a.scales[i];
    const int32_t* row = acc.data() + i * w.n;
    const float* w_scales = w.scales.data();
    float* out = c + i * ldc;
    if (bias != nullptr) {
      for (size_t j = 0; j < w.n; ++j) {
        out[j] = static_cast<float>(row[j]) * (a_scale * w_scales[j]) + bias[j];
      }
    } else {
      for (size_t j = 0; j < w.n; ++j) {
        out[j] = static_cast<float>(row[j]) * (a_scale * w_scales[j]);
      }
    }
  }
}

void gemm_f32_output(const CenteredRows& a, const PackedQC8W& w, const float* bias, float* c,
                     size_t ldc, Impl impl) {
  dequantize_accumulators(a, w, accumulate(a, w, impl), bias, c, ldc);
}

}  // namespace

void gemm_qs8_qc8w_i32(size_t m, const int8_t* a, size_t lda, int32_t a_zero_point,
                       const PackedQC8W& w, int32_t* acc, size_t ldacc, Impl impl) {
  validate_gemm(m, a, lda, w.k, w.n, acc, ldacc);
  validate_activation_params({1.0f, a_zero_point});
  gemm_qs8_qc8w_i32_impl(center_rows_qs8(m, a, lda, w.k, {1.0f, a_zero_point}), w, acc, ldacc,
                         impl);
}

void gemm_qs8_qc8w_f32(size_t m, const int8_t* a, size_t lda, AffineParams a_params,
                       const PackedQC8W& w, const float* bias, float* c, size_t ldc, Impl impl) {
  validate_gemm(m, a, lda, w.k, w.n, c, ldc);
  validate_activation_params(a_params);
  gemm_f32_output(center_rows_qs8(m, a, lda, w.k, a_params), w, bias, c, ldc, impl);
}

void gemm_qs8_qc8w_qs8(size_t m, const int8_t* a, size_t lda, AffineParams a_params,
                       const PackedQC8W& w, const float* bias, AffineParams c_params, int8_t* c,
                       size_t ldc, Impl impl) {
  validate_gemm(m, a, lda, w.k, w.n, c, ldc);
  validate_activation_params(a_params);
  validate_int8_params(c_params, "output");
  // The outputs are requantized (Eq. 4), which is defined for finite values only.
  if (bias != nullptr) require_finite(std::span<const float>(bias, w.n), "bias");
  std::vector<float> real(m * w.n);
  gemm_f32_output(center_rows_qs8(m, a, lda, w.k, a_params), w, bias, real.data(), w.n, impl);
  const IntRange range = int_range(8, false);
  for (size_t i = 0; i < m; ++i) {
    if (impl == Impl::ref) {
      quantize_row_i8_ref(real.data() + i * w.n, w.n, c_params, range, c + i * ldc);
    } else {
      quantize_row_i8_wasmsimd(real.data() + i * w.n, w.n, c_params, range, c + i * ldc);
    }
  }
}

void gemm_qd8_qc8w_f32(size_t m, const float* a, size_t lda, const PackedQC8W& w, const float* bias,
                       float* c, size_t ldc, Impl impl) {
  validate_gemm(m, a, lda, w.k, w.n, c, ldc);
  gemm_f32_output(quantize_rows_qd8(m, a, lda, w.k, impl), w, bias, c, ldc, impl);
}

}  // namespace quantlab::kernels
