// Scalar oracle for the int8-weight GEMM: plain loops over the packed weights' accessor.
#include "kernels/kernel_impls.h"
#include "kernels/packed_layouts.h"

namespace quantlab::kernels {

void gemm_qs8_qc8w_i32_ref(const CenteredRows& a, const PackedQC8W& w, int32_t* acc, size_t ldacc) {
  for (size_t i = 0; i < a.m; ++i) {
    for (size_t j = 0; j < w.n; ++j) {
      int32_t sum = 0;
      for (size_t kk = 0; kk < w.k; ++kk) sum += a.row(i)[kk] * packed_qc8w_at(w, j, kk);
      acc[i * ldacc + j] = sum;
    }
  }
}

}  // namespace quantlab::kernels
