// Gradient checks of the fake-quant modules (docs/quantization.md §15) by central differences.
// Fake quantization is piecewise constant in x, so its "gradient" is a definition: the
// straight-through estimator is the exact gradient of the surrogate in which each value's
// rounding residual r = round(x/s) − x/s is a constant (Eq. 42). The checks differentiate that
// surrogate numerically at points away from the rounding steps and the clamp edges, where it is
// smooth, and compare with the analytic backward: the STE path (∂/∂x), LSQ's step size (∂/∂s,
// with the gradient scale of Eq. 45) and LSQ+'s offset (∂/∂z).
#include "train/fake_quant.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "quantlab/train.h"

namespace quantlab::train::fq {
namespace {

// Σ c_i · s·(clamp(x_i/s + r_i + z, qmin, qmax) − z) with frozen residuals r (Eq. 42).
double surrogate_loss(const std::vector<float>& x, const std::vector<double>& residual,
                      const std::vector<double>& c, double s, double z, IntRange r) {
  double loss = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double q = std::clamp(x[i] / s + residual[i] + z, static_cast<double>(r.qmin),
                                static_cast<double>(r.qmax));
    loss += c[i] * s * (q - z);
  }
  return loss;
}

struct Case {
  std::vector<float> x;
  std::vector<double> residual;
  std::vector<double> c;
};

// Values spread over and beyond the grid, each at least 0.15 steps from a rounding step, and
// none on the clamp edges.
Case make_case(size_t n, float s, int32_t z, IntRange r, uint64_t seed) {
  Rng rng(seed);
  Case k;
  const double margin = 3 + (r.qmax - r.qmin) / 8.0;  // about a fifth of the values clip
  const double lo = (r.qmin - z - margin) * s, hi = (r.qmax - z + margin) * s;
  while (k.x.size() < n) {
    const float x = static_cast<float>(lo + (hi - lo) * rng.uniform());
    const double v = x / s;
    const double frac = v - std::floor(v);
    // The surrogate has its clamp kinks exactly at codes qmin and qmax: skip those values.
    const double code = round_half_to_even(x / s) + z;
    if (std::fabs(frac - 0.5) < 0.15 || code == r.qmin || code == r.qmax) continue;
    k.x.push_back(x);
    k.residual.push_back(round_half_to_even(x / s) - static_cast<double>(x) / s);
    k.c.push_back(2.0 * rng.uniform() - 1.0);
  }
  return k;
}

class FakeQuantGradient : public ::testing::TestWithParam<std::tuple<int, bool>> {};

TEST_P(FakeQuantGradient, MatchesCentralDifferencesOfTheSurrogate) {
  const auto [bits, symmetric] = GetParam();
  const IntRange r = int_range(bits, symmetric);
  const float s = 0.37f;
  const int32_t z = symmetric ? 0 : (r.qmin + r.qmax) / 3;
  const Case k = make_case(400, s, z, r, 7 + bits);
  std::vector<float> y(k.x.size()), dy(k.c.begin(), k.c.end()), dx(k.x.size(), 0.0f);
  fake_quantize(k.x.data(), k.x.size(), {s, z}, r, y.data());
  // The surrogate equals the forward at the point itself.
  for (size_t i = 0; i < k.x.size(); ++i) {
    const double q = std::clamp(k.x[i] / s + k.residual[i] + z, double(r.qmin), double(r.qmax));
    ASSERT_NEAR(y[i], s * (q - z), 1e-5) << i;
  }
  const QuantizerGrad g =
      fake_quantize_backward(k.x.data(), dy.data(), k.x.size(), {s, z}, r, 1.0f, dx.data());
  const double h = 1e-3;
  // STE (Eq. 41): value by value.
  size_t inside = 0, outside = 0;
  for (size_t i = 0; i < k.x.size(); ++i) {
    std::vector<float> plus = k.x, minus = k.x;
    plus[i] += static_cast<float>(h * s);
    minus[i] -= static_cast<float>(h * s);
    const double numeric = (surrogate_loss(plus, k.residual, k.c, s, z, r) -
                            surrogate_loss(minus, k.residual, k.c, s, z, r)) /
                           (static_cast<double>(plus[i]) - minus[i]);
    EXPECT_NEAR(dx[i], numeric, 1e-3) << "x = " << k.x[i];
    (dx[i] == 0.0f ? outside : inside) += 1;
  }
  EXPECT_GT(inside, 100u);
  EXPECT_GT(outside, 10u);  // the clipping-aware part is exercised
  // LSQ step size (Eq. 43).
  const double ds = (surrogate_loss(k.x, k.residual, k.c, s + h * s, z, r) -
                     surrogate_loss(k.x, k.residual, k.c, s - h * s, z, r)) /
                    (2 * h * s);
  EXPECT_NEAR(g.scale, ds, 1e-3 * (1 + std::fabs(ds)));
  // LSQ+ offset (Eq. 46), the zero point as a real.
  const double dz = (surrogate_loss(k.x, k.residual, k.c, s, z + h, r) -
                     surrogate_loss(k.x, k.residual, k.c, s, z - h, r)) /
                    (2 * h);
  EXPECT_NEAR(g.offset, dz, 1e-3 * (1 + std::fabs(dz)));
}

INSTANTIATE_TEST_SUITE_P(BitsAndSymmetry, FakeQuantGradient,
                         ::testing::Combine(::testing::Values(8, 4), ::testing::Bool()));

TEST(WeightQuantizer, PerGroupScaleGradientIsLsqTimesTheGradientScale) {
  // INT4 asymmetric, groups of 16 along K = 40 (the last group of each row is shorter).
  const Shape shape{3, 40};
  QuantScheme scheme;
  scheme.bits = 4;
  scheme.symmetric = false;
  scheme.granularity = Granularity::per_group;
  scheme.group_size = 16;
  Rng rng(3);
  std::vector<float> w(shape.element_count());
  for (float& v : w) v = 2.0f * rng.uniform() - 1.0f;
  WeightQuantizer q(shape, scheme);
  q.choose(w, calib::WeightRange::mse);
  ASSERT_EQ(q.parameter_count(), 9u);
  std::vector<float> dw_hat(w.size()), dw(w.size(), 0.0f);
  for (float& v : dw_hat) v = 2.0f * rng.uniform() - 1.0f;
  q.scales.zero_grad();
  q.backward(w.data(), dw_hat.data(), 0.5f, dw.data());
  // Group p's elements and its per-element gradient by fake_quantize_backward on them alone.
  const IntRange r = int_range(4, false);
  for (size_t row = 0; row < 3; ++row) {
    for (size_t group = 0; group < 3; ++group) {
      const size_t p = row * 3 + group, begin = row * 40 + group * 16;
      const size_t n = group == 2 ? 8 : 16;
      const QuantizerGrad g = fake_quantize_backward(w.data() + begin, dw_hat.data() + begin, n,
                                                     q.params(p), r, 1.0f, nullptr);
      const float expected = 0.5f * lsq_gradient_scale(n, 15) * static_cast<float>(g.scale);
      EXPECT_NEAR(q.scales.grad[p], expected, 1e-6f) << p;
    }
  }
  // The forward is the quant layer's own quantize → dequantize.
  std::vector<float> w_hat(w.size());
  q.forward(w.data(), w_hat.data());
  const std::vector<float> reference = dequantize(q.quantize(w));
  for (size_t i = 0; i < w.size(); ++i) EXPECT_EQ(w_hat[i], reference[i]) << i;
}

TEST(InputQuantizer, LearnedStaticGradientsCarryTheGradientScale) {
  InputQuantizer::Options options;
  options.mode = quantization::Activations::int8_static;
  options.learned = true;
  options.per_sample = 50;
  InputQuantizer q(options, {-1.0f, 3.0f});
  Tensor x(DType::f32, Shape{4, 50}), y(DType::f32, Shape{4, 50}), dy(DType::f32, Shape{4, 50});
  Tensor dx(DType::f32, Shape{4, 50});
  Rng rng(5);
  for (float& v : x.values<float>()) v = 5.0f * rng.uniform() - 1.5f;  // some clip high and low
  for (float& v : dy.values<float>()) v = rng.uniform() - 0.5f;
  q.forward(x, y, true);
  q.backward(x, dy, 1.0f, dx);
  const QuantizerGrad g =
      fake_quantize_backward(x.values<float>().data(), dy.values<float>().data(), 200, q.params(),
                             q.range(), 1.0f, nullptr);
  const float gscale = lsq_gradient_scale(50, 255);
  EXPECT_NEAR(q.scale.grad[0], gscale * g.scale, 1e-6);
  EXPECT_NEAR(q.offset.grad[0], gscale * g.offset, 1e-6);
  EXPECT_NE(g.offset, 0.0);
}

}  // namespace
}  // namespace quantlab::train::fq
