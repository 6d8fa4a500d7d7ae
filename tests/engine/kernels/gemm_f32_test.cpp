#include <gtest/gtest.h>

#include "gemm_test_support.h"
#include "quantlab/error.h"
#include "quantlab/kernels.h"

namespace quantlab::testing {
namespace {

using kernels::gemm_f32;
using kernels::pack_f32;

class GemmF32Sweep : public ::testing::TestWithParam<size_t> {};

TEST_P(GemmF32Sweep, BothImplsMatchExactProducts) {
  const size_t k = GetParam();
  Random random(static_cast<uint32_t>(k));
  for (size_t m : kSweepM) {
    for (size_t n : kSweepN) {
      const size_t lda = strided(k);
      const std::vector<float> a = random.floats(m * lda);
      const std::vector<float> w = random.floats(n * k);
      const std::vector<float> bias = random.floats(n);
      const bool with_bias = (m + n) % 3 != 0;
      const kernels::PackedF32 packed = pack_f32(w.data(), n, k);
      for (Impl impl : {Impl::ref, Impl::wasmsimd}) {
        StridedOutput<float> c(m, n);
        gemm_f32(m, a.data(), lda, packed, with_bias ? bias.data() : nullptr, c.data.data(), c.ldc,
                 impl);
        for (size_t i = 0; i < m; ++i) {
          for (size_t j = 0; j < n; ++j) {
            Expected want;
            for (size_t kk = 0; kk < k; ++kk) {
              want.value += double{a[i * lda + kk]} * w[j * k + kk];
              want.magnitude += std::fabs(double{a[i * lda + kk]} * w[j * k + kk]);
            }
            if (with_bias) {
              want.value += bias[j];
              want.magnitude += std::fabs(bias[j]);
            }
            expect_close(c.at(i, j), want, k,
                         std::string(impl_name(impl)) + " " + shape_name(m, n, k) + " at (" +
                             std::to_string(i) + ", " + std::to_string(j) + ")");
          }
        }
        c.expect_gaps_untouched();
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(K, GemmF32Sweep, ::testing::ValuesIn(kSweepK));

// The GEMV reads four tiles at a time, a quarter of the columns apart: N = 1041 is 130 full
// tiles (4 × 32 and 2 left over) and a partial one; K is odd and large; with and without bias.
TEST(GemmF32, LargeGemvMatchesExactProducts) {
  const size_t n = 1041, k = 4099;
  Random random(5);
  const std::vector<float> a = random.floats(k);
  const std::vector<float> w = random.floats(n * k);
  const std::vector<float> bias = random.floats(n);
  const kernels::PackedF32 packed = pack_f32(w.data(), n, k);
  for (const float* b : {bias.data(), static_cast<const float*>(nullptr)}) {
    StridedOutput<float> c(1, n);
    gemm_f32(1, a.data(), k, packed, b, c.data.data(), c.ldc, Impl::wasmsimd);
    for (size_t j = 0; j < n; ++j) {
      Expected want{b ? b[j] : 0.0, b ? std::fabs(b[j]) : 0.0};
      for (size_t kk = 0; kk < k; ++kk) {
        want.value += double{a[kk]} * w[j * k + kk];
        want.magnitude += std::fabs(double{a[kk]} * w[j * k + kk]);
      }
      expect_close(c.at(0, j), want, k,
                   "column " + std::to_string(j) + (b ? " with bias" : " without bias"));
    }
    c.expect_gaps_untouched();
  }
}

TEST(GemmF32, PackedSizeCountsPaddedTiles) {
  const std::vector<float> w(9 * 5, 1.0f);
  // 9 columns occupy two tiles of 8.
  EXPECT_EQ(pack_f32(w.data(), 9, 5).byte_size(), 16u * 5u * sizeof(float));
}

TEST(GemmF32, RejectsBadStrides) {
  const std::vector<float> w(4 * 6, 1.0f), a(6), c(4);
  const kernels::PackedF32 packed = pack_f32(w.data(), 4, 6);
  std::vector<float> out(4);
  EXPECT_THROW(gemm_f32(1, a.data(), 5, packed, nullptr, out.data(), 4), InvalidArgument);
  EXPECT_THROW(gemm_f32(1, a.data(), 6, packed, nullptr, out.data(), 3), InvalidArgument);
  EXPECT_THROW(pack_f32(w.data(), 0, 6), InvalidArgument);
}

}  // namespace
}  // namespace quantlab::testing
