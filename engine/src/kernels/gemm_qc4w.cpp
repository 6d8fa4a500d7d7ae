// Public 4-bit-weight GEMMs: validate, prepare the activations, dispatch on impl.
#include "kernels/gemm_args.h"
#include "kernels/kernel_impls.h"

namespace quantlab::kernels {

void gemm_f32_qc4w(size_t m, const float* a, size_t lda, const PackedQC4W& w, const float* bias,
                   float* c, size_t ldc, Impl impl) {
  validate_gemm(m, a, lda, w.k, w.n, c, ldc);
  if (impl == Impl::ref) {
    gemm_f32_qc4w_ref(m, a, lda, w, bias, c, ldc);
  } else {
    gemm_f32_qc4w__wasmsimd(m, a, lda, w, bias, c, ldc);
  }
}

void gemm_qd8_qc4w_f32(size_t m, const float* a, size_t lda, const PackedQC4W& w, const float* bias,
                       float* c, size_t ldc, Impl impl) {
  validate_gemm(m, a, lda, w.k, w.n, c, ldc);
  gemm_qd8_qc4w_f32_impl(quantize_rows_qd8(m, a, lda, w.k, impl), w, bias, c, ldc, impl);
}

void gemm_qs8_qc4w_f32(size_t m, const int8_t* a, size_t lda, AffineParams a_params,
                       const PackedQC4W& w, const float* bias, float* c, size_t ldc, Impl impl) {
  validate_gemm(m, a, lda, w.k, w.n, c, ldc);
  validate_activation_params(a_params);
  gemm_qd8_qc4w_f32_impl(center_rows_qs8(m, a, lda, w.k, a_params), w, bias, c, ldc, impl);
}

void gemm_qs8_qc4w_group_i32(size_t m, const int8_t* a, size_t lda, int32_t a_zero_point,
                             const PackedQC4W& w, int32_t* acc, Impl impl) {
  validate_gemm(m, a, lda, w.k, w.n, acc, w.n);
  validate_activation_params({1.0f, a_zero_point});
  gemm_qs8_qc4w_group_i32_impl(center_rows_qs8(m, a, lda, w.k, {1.0f, a_zero_point}), w, acc, impl);
}

}  // namespace quantlab::kernels
