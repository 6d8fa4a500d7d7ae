// A GEMM over zero rows of A is valid (validate_gemm accepts null A and C then) and must do
// nothing: every public GEMM, both impls, with packed weights large enough that a kernel
// mistaking M = 0 for a GEMV would read and write far out of bounds.
#include <gtest/gtest.h>

#include "gemm_test_support.h"
#include "qc4w_test_weights.h"
#include "quantlab/kernels.h"

namespace quantlab::testing {
namespace {

using namespace quantlab::kernels;

TEST(GemmZeroRows, EveryGemmDoesNothing) {
  const size_t n = 4096, k = 24;
  Random random(11);
  const std::vector<float> w = random.floats(n * k);
  const std::vector<int8_t> codes8 = random.ints<int8_t>(n * k, -127, 127);
  const std::vector<float> scales8 = random.floats(n, 0.01f, 0.1f);
  const PackedF32 f32 = pack_f32(w.data(), n, k);
  const PackedQC8W qc8w = pack_qc8w(codes8.data(), scales8.data(), n, k);
  const Qc4wWeights qc4w(random, n, k, 8, true);
  const AffineParams params{0.1f, 0};
  for (Impl impl : kImpls) {
    SCOPED_TRACE(impl_name(impl));
    EXPECT_NO_THROW(gemm_f32(0, nullptr, k, f32, nullptr, nullptr, n, impl));
    EXPECT_NO_THROW(gemm_qs8_qc8w_i32(0, nullptr, k, 0, qc8w, nullptr, n, impl));
    EXPECT_NO_THROW(gemm_qs8_qc8w_f32(0, nullptr, k, params, qc8w, nullptr, nullptr, n, impl));
    EXPECT_NO_THROW(
        gemm_qs8_qc8w_qs8(0, nullptr, k, params, qc8w, nullptr, params, nullptr, n, impl));
    EXPECT_NO_THROW(gemm_qd8_qc8w_f32(0, nullptr, k, qc8w, nullptr, nullptr, n, impl));
    EXPECT_NO_THROW(gemm_f32_qc4w(0, nullptr, k, qc4w.packed, nullptr, nullptr, n, impl));
    EXPECT_NO_THROW(gemm_qd8_qc4w_f32(0, nullptr, k, qc4w.packed, nullptr, nullptr, n, impl));
    EXPECT_NO_THROW(
        gemm_qs8_qc4w_f32(0, nullptr, k, params, qc4w.packed, nullptr, nullptr, n, impl));
    EXPECT_NO_THROW(gemm_qs8_qc4w_group_i32(0, nullptr, k, 0, qc4w.packed, nullptr, impl));
  }
}

}  // namespace
}  // namespace quantlab::testing
