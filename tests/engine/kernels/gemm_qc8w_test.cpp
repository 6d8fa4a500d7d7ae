#include <gtest/gtest.h>

#include <algorithm>

#include "gemm_test_support.h"
#include "quantlab/error.h"
#include "quantlab/kernels.h"

namespace quantlab::testing {
namespace {

using namespace quantlab::kernels;

// The int8 codes and parameters of one sweep case.
struct Qc8wCase {
  size_t m, n, k, lda;
  std::vector<int8_t> a;
  AffineParams a_params;
  std::vector<int8_t> w;
  std::vector<float> w_scales;
  std::vector<float> bias;
  PackedQC8W packed;

  Qc8wCase(Random& random, size_t m_, size_t n_, size_t k_)
      : m(m_),
        n(n_),
        k(k_),
        lda(strided(k_)),
        a(random.ints<int8_t>(m * lda, -128, 127)),
        a_params{0.02f, random.integer(-128, 127)},
        w(random.ints<int8_t>(n * k, -128, 127)),
        w_scales(random.floats(n, 0.001f, 0.01f)),
        bias(random.floats(n)),
        packed(pack_qc8w(w.data(), w_scales.data(), n, k)) {}

  int32_t exact_acc(size_t i, size_t j) const {
    int32_t sum = 0;
    for (size_t kk = 0; kk < k; ++kk)
      sum += (a[i * lda + kk] - a_params.zero_point) * w[j * k + kk];
    return sum;
  }
  Expected real(size_t i, size_t j) const {
    Expected e{bias[j], std::fabs(bias[j])};
    for (size_t kk = 0; kk < k; ++kk) {
      const double product = double{a_params.scale} * (a[i * lda + kk] - a_params.zero_point) *
                             w_scales[j] * w[j * k + kk];
      e.value += product;
      e.magnitude += std::fabs(product);
    }
    return e;
  }
};

// Runs the SIMD int32 GEMMs of case t and checks every accumulator against the exact sum, and
// that nothing was written between the output rows.
void expect_exact_simd_accumulators(const Qc8wCase& t) {
  for (Impl impl : kSimdImpls) {
    StridedOutput<int32_t> acc(t.m, t.n);
    gemm_qs8_qc8w_i32(t.m, t.a.data(), t.lda, t.a_params.zero_point, t.packed, acc.data.data(),
                      acc.ldc, impl);
    for (size_t i = 0; i < t.m; ++i) {
      for (size_t j = 0; j < t.n; ++j) {
        ASSERT_EQ(acc.at(i, j), t.exact_acc(i, j))
            << impl_name(impl) << " " << shape_name(t.m, t.n, t.k) << " at " << i << "," << j;
      }
    }
    acc.expect_gaps_untouched();
  }
}

class Qc8wSweep : public ::testing::TestWithParam<size_t> {};

TEST_P(Qc8wSweep, AccumulatorsAreExactAndOutputsMatch) {
  const size_t k = GetParam();
  Random random(static_cast<uint32_t>(1000 + k));
  for (size_t m : kSweepM) {
    for (size_t n : kSweepN) {
      const Qc8wCase t(random, m, n, k);
      const AffineParams out_params{0.05f, random.integer(-20, 20)};
      std::vector<int8_t> requantized[4];
      for (Impl impl : kImpls) {
        const std::string where = std::string(impl_name(impl)) + " " + shape_name(m, n, k);
        StridedOutput<int32_t> acc(m, n);
        gemm_qs8_qc8w_i32(m, t.a.data(), t.lda, t.a_params.zero_point, t.packed, acc.data.data(),
                          acc.ldc, impl);
        StridedOutput<float> c(m, n);
        gemm_qs8_qc8w_f32(m, t.a.data(), t.lda, t.a_params, t.packed, t.bias.data(), c.data.data(),
                          c.ldc, impl);
        StridedOutput<int8_t> q(m, n);
        gemm_qs8_qc8w_qs8(m, t.a.data(), t.lda, t.a_params, t.packed, t.bias.data(), out_params,
                          q.data.data(), q.ldc, impl);
        for (size_t i = 0; i < m; ++i) {
          for (size_t j = 0; j < n; ++j) {
            ASSERT_EQ(acc.at(i, j), t.exact_acc(i, j)) << where << " at " << i << "," << j;
            expect_close(c.at(i, j), t.real(i, j), k, where);
            // The requantized code is Eq. 4 of the float output; an exactly computed output
            // could round to the neighbouring code only at a tie.
            const double want = std::clamp(
                std::nearbyint(t.real(i, j).value / out_params.scale) + out_params.zero_point,
                -128.0, 127.0);
            ASSERT_LE(std::fabs(q.at(i, j) - want), 1.0) << where;
          }
        }
        acc.expect_gaps_untouched();
        c.expect_gaps_untouched();
        q.expect_gaps_untouched();
        requantized[static_cast<size_t>(impl)] = q.data;
      }
      ASSERT_EQ(requantized[0], requantized[1]) << shape_name(m, n, k);
      ASSERT_EQ(requantized[0], requantized[2]) << shape_name(m, n, k);
      ASSERT_EQ(requantized[0], requantized[3]) << shape_name(m, n, k);
    }
  }
}

// Dynamic activations: both impls quantize each row with the same min-max parameters, so the
// result equals the exact product of the dequantized rows with the dequantized weights.
TEST_P(Qc8wSweep, DynamicRowsMatchDequantizedProduct) {
  const size_t k = GetParam();
  Random random(static_cast<uint32_t>(2000 + k));
  for (size_t m : kSweepM) {
    for (size_t n : {1, 4, 7, 17, 33}) {
      const size_t lda = strided(k);
      // Shifted range: the rows need non-zero zero points.
      const std::vector<float> a = random.floats(m * lda, -0.5f, 2.0f);
      const Qc8wCase t(random, 1, n, k);
      for (Impl impl : kImpls) {
        StridedOutput<float> c(m, n);
        gemm_qd8_qc8w_f32(m, a.data(), lda, t.packed, t.bias.data(), c.data.data(), c.ldc, impl);
        for (size_t i = 0; i < m; ++i) {
          const float* row = a.data() + i * lda;
          const auto [lo, hi] = std::minmax_element(row, row + k);
          const AffineParams p = choose_params_minmax(*lo, *hi, 8, false);
          std::vector<int8_t> q(k);
          quantize_row_i8_ref(row, k, p, int_range(8, false), q.data());
          for (size_t j = 0; j < n; ++j) {
            Expected want{t.bias[j], std::fabs(t.bias[j])};
            for (size_t kk = 0; kk < k; ++kk) {
              const double product =
                  double{p.scale} * (q[kk] - p.zero_point) * t.w_scales[j] * t.w[j * k + kk];
              want.value += product;
              want.magnitude += std::fabs(product);
            }
            expect_close(c.at(i, j), want, k, std::string(impl_name(impl)) + shape_name(m, n, k));
          }
        }
        c.expect_gaps_untouched();
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(K, Qc8wSweep, ::testing::ValuesIn(kSweepK));

// The SIMD GEMM walks rows in chunks sized to stay in L2 (about 60 rows at this K) and interleaves
// the activations in blocks of 4 rows: several chunks, a last chunk whose row count is not a
// multiple of 4, and a partial last panel must all stay exact (and the f32 outputs close).
TEST(Qc8w, ManyRowChunksStayExact) {
  Random random(31);
  const size_t m = 130, n = 37, k = 1030;
  const Qc8wCase t(random, m, n, k);
  expect_exact_simd_accumulators(t);
  for (Impl impl : kSimdImpls) {
    StridedOutput<float> c(m, n);
    gemm_qs8_qc8w_f32(m, t.a.data(), t.lda, t.a_params, t.packed, t.bias.data(), c.data.data(),
                      c.ldc, impl);
    for (size_t i = 0; i < m; ++i) {
      for (size_t j = 0; j < n; ++j) {
        expect_close(c.at(i, j), t.real(i, j), k,
                     std::string(impl_name(impl)) + " f32 output at row " + std::to_string(i));
      }
    }
    c.expect_gaps_untouched();
  }
}

// The relaxed kernel splits each centered activation c + 255 into 7 low bits and a high part
// (Eq. 56): the extremes c = ±255 (codes −128 and 127 against zero points 127 and −128) with
// weights −128 and 127 put the largest pair sums through it, at a K where Σ nears 2^31 / 8.
TEST(Qc8w, RelaxedExtremesStayExact) {
  const size_t m = 9, n = 21, k = 4101;
  for (int32_t zero_point : {-128, 127}) {
    Random random(static_cast<uint32_t>(53 + zero_point));
    Qc8wCase t(random, m, n, k);
    t.a_params.zero_point = zero_point;
    for (size_t i = 0; i < t.a.size(); ++i) t.a[i] = i % 3 == 0 ? 127 : -128;
    for (size_t i = 0; i < t.w.size(); ++i) t.w[i] = i % 5 == 0 ? 127 : -128;
    t.packed = pack_qc8w(t.w.data(), t.w_scales.data(), n, k);
    expect_exact_simd_accumulators(t);
  }
}

// Large GEMMs with K ≤ 1024 widen each panel to i16 per row chunk (about 64 rows at K = 1000):
// three chunks, the last of 22 rows, and a last panel of 5 columns.
TEST(Qc8w, WidenedPanelsStayExact) {
  Random random(47);
  expect_exact_simd_accumulators(Qc8wCase(random, 150, 37, 1000));
}

// The GEMV's leftover panels after its two streams: N = 49 and 63 leave one full panel and a
// partial one, N = 48 one full panel and none.
TEST(Qc8w, GemvLeftoverPanelsStayExact) {
  Random random(41);
  for (size_t n : {48, 49, 63}) {
    for (size_t k : {5, 100}) expect_exact_simd_accumulators(Qc8wCase(random, 1, n, k));
  }
}

TEST(Qc8w, RequantizedOutputRejectsANonFiniteBias) {
  const std::vector<int8_t> codes(8, 1), a(4, 1);
  const std::vector<float> scales(2, 1.0f);
  const PackedQC8W packed = pack_qc8w(codes.data(), scales.data(), 2, 4);
  const std::vector<float> bias = {0.0f, NAN};
  int8_t c[2];
  for (Impl impl : kImpls) {
    EXPECT_THROW(
        gemm_qs8_qc8w_qs8(1, a.data(), 4, {1.0f, 0}, packed, bias.data(), {1.0f, 0}, c, 2, impl),
        InvalidArgument);
  }
}

// The GEMV reads two panels at once, half the columns apart: N = 4110 is 256 full panels in two
// streams, no full panel left over, and a partial panel of 14 columns; K is odd and large.
TEST(Qc8w, LargeGemvStaysExact) {
  Random random(37);
  expect_exact_simd_accumulators(Qc8wCase(random, 1, 4110, 4099));
}

TEST(Qc8w, PacksQuantizedTensorPerChannel) {
  const size_t n = 5, k = 11;
  Random random(7);
  const std::vector<float> w = random.floats(n * k);
  const QuantizedTensor qt =
      quantize(w, Shape{n, k}, QuantScheme{8, true, Granularity::per_channel, 0, 32});
  const PackedQC8W packed = pack_qc8w(qt);
  EXPECT_EQ(packed.scales, qt.scales);
  // 5 columns pad to 2 tiles of 4, K = 11 pads to 16: codes plus one f32 scale per column.
  EXPECT_EQ(packed.byte_size(), 8u * 16u + 5u * sizeof(float));
  // Identity activations (a = e_kk) read back every code.
  for (size_t kk = 0; kk < k; ++kk) {
    std::vector<int8_t> a(k, 0);
    a[kk] = 1;
    std::vector<int32_t> acc(n);
    gemm_qs8_qc8w_i32(1, a.data(), k, 0, packed, acc.data(), n);
    for (size_t j = 0; j < n; ++j) EXPECT_EQ(acc[j], qt.q(j * k + kk));
  }
}

TEST(Qc8w, RejectsAsymmetricOrGroupedWeights) {
  const std::vector<float> w(8, 0.5f);
  EXPECT_THROW(
      pack_qc8w(quantize(w, Shape{2, 4}, QuantScheme{8, false, Granularity::per_channel, 0, 32})),
      InvalidArgument);
  EXPECT_THROW(
      pack_qc8w(quantize(w, Shape{2, 4}, QuantScheme{4, true, Granularity::per_channel, 0, 32})),
      InvalidArgument);
}

TEST(Qc8w, RejectsBadActivationParameters) {
  const std::vector<int8_t> codes(4, 1), a(4, 1);
  const float scale = 1.0f;
  const PackedQC8W packed = pack_qc8w(codes.data(), &scale, 1, 4);
  float c = 0;
  EXPECT_THROW(gemm_qs8_qc8w_f32(1, a.data(), 4, {0.0f, 0}, packed, nullptr, &c, 1),
               InvalidArgument);
  EXPECT_THROW(gemm_qs8_qc8w_f32(1, a.data(), 4, {1.0f, 300}, packed, nullptr, &c, 1),
               InvalidArgument);
}

}  // namespace
}  // namespace quantlab::testing
