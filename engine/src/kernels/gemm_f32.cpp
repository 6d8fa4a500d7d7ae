#include "kernels/gemm_args.h"
#include "kernels/kernel_impls.h"

namespace quantlab::kernels {

void gemm_f32(size_t m, const float* a, size_t lda, const PackedF32& w, const float* bias, float* c,
              size_t ldc, Impl impl) {
  validate_gemm(m, a, lda, w.k, w.n, c, ldc);
  if (impl == Impl::ref) {
    gemm_f32_ref(m, a, lda, w, bias, c, ldc);
  } else {
    gemm_f32__wasmsimd(m, a, lda, w, bias, c, ldc);
  }
}

}  // namespace quantlab::kernels
