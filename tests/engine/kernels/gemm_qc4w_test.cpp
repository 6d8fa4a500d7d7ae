#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "gemm_test_support.h"
#include "qc4w_test_weights.h"
#include "quantlab/error.h"
#include "quantlab/kernels.h"

namespace quantlab::testing {
namespace {

using namespace quantlab::kernels;

// Exact Σ a·w + bias for f32 activations `a` (row i at stride lda).
Expected exact_f32(const float* row, const Qc4wWeights& w, size_t j,
                   const std::vector<float>& bias) {
  Expected e{bias[j], std::fabs(bias[j])};
  for (size_t kk = 0; kk < w.k; ++kk) {
    e.value += double{row[kk]} * w.real(j, kk);
    e.magnitude += std::fabs(double{row[kk]} * w.real(j, kk));
  }
  return e;
}

// K, group size (0: per-channel).
class Qc4wSweep : public ::testing::TestWithParam<std::tuple<size_t, size_t>> {
 protected:
  size_t k() const { return std::get<0>(GetParam()); }
  size_t group() const { return std::get<1>(GetParam()) == 0 ? k() : std::get<1>(GetParam()); }
};

TEST_P(Qc4wSweep, GroupAccumulatorsAreExact) {
  Random random(static_cast<uint32_t>(3000 + k() * 7 + group()));
  for (bool symmetric : {true, false}) {
    for (size_t m : kSweepM) {
      for (size_t n : kSweepN) {
        const Qc4wWeights w(random, n, k(), group(), symmetric);
        const size_t lda = strided(k());
        const std::vector<int8_t> a = random.ints<int8_t>(m * lda, -128, 127);
        const int32_t za = random.integer(-128, 127);
        for (Impl impl : kImpls) {
          std::vector<int32_t> acc(m * n * w.groups, -1);
          gemm_qs8_qc4w_group_i32(m, a.data(), lda, za, w.packed, acc.data(), impl);
          for (size_t i = 0; i < m; ++i) {
            for (size_t j = 0; j < n; ++j) {
              std::vector<int32_t> want(w.groups, 0);
              for (size_t kk = 0; kk < k(); ++kk) {
                want[kk / group()] += (a[i * lda + kk] - za) * w.centered(j, kk);
              }
              for (size_t g = 0; g < w.groups; ++g) {
                ASSERT_EQ(acc[(i * n + j) * w.groups + g], want[g])
                    << impl_name(impl) << " " << shape_name(m, n, k()) << " group " << g
                    << (symmetric ? " symmetric" : " asymmetric");
              }
            }
          }
        }
      }
    }
  }
}

TEST_P(Qc4wSweep, FloatOutputsMatchDequantizedProduct) {
  Random random(static_cast<uint32_t>(4000 + k() * 7 + group()));
  for (bool symmetric : {true, false}) {
    for (size_t m : kSweepM) {
      for (size_t n : {1, 3, 4, 5, 8, 13, 33}) {
        const Qc4wWeights w(random, n, k(), group(), symmetric);
        const size_t lda = strided(k());
        const std::vector<float> a = random.floats(m * lda, -0.5f, 2.0f);
        const std::vector<float> bias = random.floats(n);
        const std::vector<int8_t> a8 = random.ints<int8_t>(m * lda, -128, 127);
        const AffineParams a8_params{0.03f, random.integer(-128, 127)};
        for (Impl impl : kImpls) {
          const std::string where = std::string(impl_name(impl)) + " " + shape_name(m, n, k()) +
                                    (symmetric ? " symmetric" : " asymmetric");
          StridedOutput<float> w4a32(m, n), w4a8(m, n), w4a8_static(m, n);
          gemm_f32_qc4w(m, a.data(), lda, w.packed, bias.data(), w4a32.data.data(), w4a32.ldc,
                        impl);
          gemm_qd8_qc4w_f32(m, a.data(), lda, w.packed, bias.data(), w4a8.data.data(), w4a8.ldc,
                            impl);
          gemm_qs8_qc4w_f32(m, a8.data(), lda, a8_params, w.packed, bias.data(),
                            w4a8_static.data.data(), w4a8_static.ldc, impl);
          for (size_t i = 0; i < m; ++i) {
            const float* row = a.data() + i * lda;
            // The W4A8 activations: the row quantized with its min-max parameters.
            const auto [lo, hi] = std::minmax_element(row, row + k());
            const AffineParams p = choose_params_minmax(*lo, *hi, 8, false);
            std::vector<int8_t> q(k());
            quantize_row_i8_ref(row, k(), p, int_range(8, false), q.data());
            std::vector<float> row_q(k()), row_static(k());
            for (size_t kk = 0; kk < k(); ++kk) {
              row_q[kk] = static_cast<float>(q[kk] - p.zero_point) * p.scale;
              row_static[kk] =
                  static_cast<float>(a8[i * lda + kk] - a8_params.zero_point) * a8_params.scale;
            }
            for (size_t j = 0; j < n; ++j) {
              expect_close(w4a32.at(i, j), exact_f32(row, w, j, bias), k(), "W4A32 " + where);
              expect_close(w4a8.at(i, j), exact_f32(row_q.data(), w, j, bias), k(),
                           "W4A8 " + where);
              expect_close(w4a8_static.at(i, j), exact_f32(row_static.data(), w, j, bias), k(),
                           "W4A8 static " + where);
            }
          }
          w4a32.expect_gaps_untouched();
          w4a8.expect_gaps_untouched();
          w4a8_static.expect_gaps_untouched();
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(KGroup, Qc4wSweep,
                         ::testing::Combine(::testing::ValuesIn(kSweepK),
                                            ::testing::Values(0, 8, 32, 64, 128)));

// quant.h's quantize() output packs and multiplies like its own dequantize().
// The GEMVs without a bias: full panels (the W4A32 GEMV's own path) and a partial last one.
TEST(Qc4w, GemvWithoutBiasMatchesExactProduct) {
  Random random(43);
  for (bool symmetric : {true, false}) {
    for (size_t n : {16, 17, 33, 48}) {
      const size_t k = 100;
      const Qc4wWeights w(random, n, k, 32, symmetric);
      const std::vector<float> a = random.floats(k);
      const std::vector<float> zeros(n, 0.0f);
      for (Impl impl : kImpls) {
        const std::string where = std::string(impl_name(impl)) + " " + shape_name(1, n, k) +
                                  (symmetric ? " symmetric" : " asymmetric");
        StridedOutput<float> w4a32(1, n), w4a8(1, n);
        gemm_f32_qc4w(1, a.data(), k, w.packed, nullptr, w4a32.data.data(), w4a32.ldc, impl);
        gemm_qd8_qc4w_f32(1, a.data(), k, w.packed, nullptr, w4a8.data.data(), w4a8.ldc, impl);
        for (size_t j = 0; j < n; ++j) {
          expect_close(w4a32.at(0, j), exact_f32(a.data(), w, j, zeros), k, "W4A32 " + where);
        }
        w4a32.expect_gaps_untouched();
        w4a8.expect_gaps_untouched();
      }
    }
  }
}

// The relaxed kernel's dot sums int8 × 4-bit products whose pairs must stay inside i16 on the
// pmaddubsw lowering (Eq. 57): activation codes at −128 and 127 against codes 15 put the largest
// products through it, in groups of 8 to 128 and per channel at a long K. Its f32 outputs
// take the same float operations as the SIMD128 kernel's, so they agree bit for bit.
TEST(Qc4w, RelaxedExtremesStayExactAndMatchSimd128) {
  for (size_t group : {8, 32, 128, 0}) {
    for (int sign : {-1, 1}) {
      Random random(static_cast<uint32_t>(61 + group + sign));
      const size_t m = 5, n = 19, k = group == 0 ? 2053 : 4 * group + 8;
      Qc4wWeights w(random, n, k, group == 0 ? k : group, false);
      std::fill(w.q.begin(), w.q.end(), 15);
      std::fill(w.codes.begin(), w.codes.end(), uint8_t{0xFF});
      w.packed = pack_qc4w(w.codes.data(), w.scales.data(), w.zero_points.data(), n, k,
                           w.group_size, false);
      const std::vector<int8_t> a(m * k, static_cast<int8_t>(sign < 0 ? -128 : 127));
      const int32_t za = sign < 0 ? 127 : -128;
      std::vector<int32_t> acc[2];
      for (size_t s = 0; s < 2; ++s) {
        acc[s].assign(m * n * w.groups, 0);
        gemm_qs8_qc4w_group_i32(m, a.data(), k, za, w.packed, acc[s].data(), kSimdImpls[s]);
      }
      for (size_t i = 0; i < m; ++i) {
        for (size_t j = 0; j < n; ++j) {
          for (size_t g = 0; g < w.groups; ++g) {
            int32_t want = 0;
            for (size_t kk = g * w.group_size; kk < std::min(k, (g + 1) * w.group_size); ++kk) {
              want += (a[i * k + kk] - za) * w.centered(j, kk);
            }
            ASSERT_EQ(acc[1][(i * n + j) * w.groups + g], want) << "group size " << group;
          }
        }
      }
      ASSERT_EQ(acc[0], acc[1]);
      const std::vector<float> x = random.floats(m * k, -3.0f, 1.0f);
      const std::vector<float> bias = random.floats(n);
      std::vector<float> c[2];
      for (size_t s = 0; s < 2; ++s) {
        c[s].assign(m * n, 0.0f);
        gemm_qd8_qc4w_f32(m, x.data(), k, w.packed, bias.data(), c[s].data(), n, kSimdImpls[s]);
      }
      ASSERT_EQ(c[0], c[1]) << "group size " << group;
    }
  }
}

TEST(Qc4w, PackedQuantizedTensorMatchesDequantize) {
  const size_t n = 7, k = 100;
  Random random(11);
  const std::vector<float> w = random.floats(n * k);
  const std::vector<float> a = random.floats(3 * k);
  for (const QuantScheme& scheme : {QuantScheme{4, true, Granularity::per_group, 0, 32},
                                    QuantScheme{4, false, Granularity::per_group, 0, 64},
                                    QuantScheme{4, false, Granularity::per_channel, 0, 32},
                                    QuantScheme{4, true, Granularity::per_tensor, 0, 32}}) {
    const QuantizedTensor qt = quantize(w, Shape{n, k}, scheme);
    const std::vector<float> dq = dequantize(qt, Impl::ref);
    const PackedQC4W packed = pack_qc4w(qt);
    for (Impl impl : kImpls) {
      std::vector<float> c(3 * n);
      gemm_f32_qc4w(3, a.data(), k, packed, nullptr, c.data(), n, impl);
      for (size_t i = 0; i < 3; ++i) {
        for (size_t j = 0; j < n; ++j) {
          Expected want;
          for (size_t kk = 0; kk < k; ++kk) {
            want.value += double{a[i * k + kk]} * dq[j * k + kk];
            want.magnitude += std::fabs(double{a[i * k + kk]} * dq[j * k + kk]);
          }
          expect_close(c[i * n + j], want, k, scheme.to_string() + " " + impl_name(impl));
        }
      }
    }
  }
}

TEST(Qc4w, ByteSizeCountsPayloadScalesAndZeroPoints) {
  Random random(5);
  const Qc4wWeights sym(random, 8, 64, 32, true), asym(random, 8, 64, 32, false);
  // 8 columns × 64 values at 4 bits = 256 bytes; 8 × 2 groups of f32 scales = 64 bytes;
  // asymmetric adds 16 zero points at 4 bits = 8 bytes.
  EXPECT_EQ(sym.packed.byte_size(), 256u + 64u);
  EXPECT_EQ(asym.packed.byte_size(), 256u + 64u + 8u);
}

TEST(Qc4w, RejectsGroupsThatSplitABlock) {
  const std::vector<uint8_t> codes(2 * 16, 0);
  const std::vector<float> scales(2 * 3, 1.0f);
  EXPECT_THROW(pack_qc4w(codes.data(), scales.data(), nullptr, 2, 32, 12, true), InvalidArgument);
  const std::vector<int32_t> bad_zero_points(2 * 1, 16);
  EXPECT_THROW(pack_qc4w(codes.data(), scales.data(), bad_zero_points.data(), 2, 32, 32, false),
               InvalidArgument);
}

}  // namespace
}  // namespace quantlab::testing
