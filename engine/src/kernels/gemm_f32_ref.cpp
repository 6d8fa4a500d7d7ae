// Scalar oracle for the FP32 GEMM: plain loops over the packed weights' accessor.
#include "kernels/kernel_impls.h"
#include "kernels/packed_layouts.h"

namespace quantlab::kernels {

void gemm_f32_ref(size_t m, const float* a, size_t lda, const PackedF32& w, const float* bias,
                  float* c, size_t ldc) {
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < w.n; ++j) {
      float sum = 0.0f;
      for (size_t kk = 0; kk < w.k; ++kk) sum += a[i * lda + kk] * packed_f32_at(w, j, kk);
      c[i * ldc + j] = bias != nullptr ? sum + bias[j] : sum;
    }
  }
}

}  // namespace quantlab::kernels
