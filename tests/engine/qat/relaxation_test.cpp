// The learned-bits relaxation (Eqs. 47-49) is smooth in the logits: for fixed fake-quant weights
// and inputs, π = softmax(α/T) enters the mixed weight and input linearly. Its gradient (with
// the size penalty's term) is checked by central differences.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "quantlab/train.h"
#include "train/qat_layer.h"

namespace quantlab::train {
namespace {

using quantization::Activations;
using quantization::LayerPlan;
using quantization::WeightFormat;

TEST(Relaxation, LogitGradientMatchesCentralDifferences) {
  nn::Model work;
  work.input_shape = Shape{6};
  work.layers = {nn::linear("fc", 6, 3)};
  nn::allocate_parameters(work);
  Rng rng(21);
  for (float& v : work.parameter("fc.weight").values<float>()) v = rng.uniform() - 0.5f;
  for (float& v : work.parameter("fc.bias").values<float>()) v = rng.uniform() - 0.5f;
  work.parameters["fc.latent"] = work.parameter("fc.weight");
  std::map<std::string, Tensor> inner_grads, optimizer_grads;
  optimizer_grads["fc.latent"] = Tensor(DType::f32, Shape{3, 6});
  optimizer_grads["fc.bias"] = Tensor(DType::f32, Shape{3});
  LayerContext context{work, inner_grads, 1};

  const auto w = work.parameter("fc.latent").values<float>();
  std::vector<Candidate> candidates(3);
  candidates[0].name = "fp32";
  candidates[0].bits = 32 * 18;
  for (size_t k = 1; k < 3; ++k) {
    LayerPlan plan;
    plan.weights = k == 1 ? WeightFormat::int8 : WeightFormat::int4;
    plan.activations = Activations::int8_static;
    candidates[k].name = k == 1 ? "int8" : "int4";
    candidates[k].plan = plan;
    candidates[k].input = 1;
    candidates[k].weight.emplace(Shape{3, 6}, plan.scheme());
    candidates[k].weight->choose(w, calib::WeightRange::minmax);
    candidates[k].bits = static_cast<double>(candidates[k].weight->quantize(w).total_bits());
  }
  fq::InputQuantizer::Options options;
  options.mode = Activations::int8_static;
  options.bits = 4;  // a coarse grid, so the input variants differ visibly
  options.per_sample = 6;
  QatAffine layer(work.layers[0], Shape{6}, context, optimizer_grads, std::move(candidates),
                  fq::InputQuantizer(options, {-1.0f, 1.0f}));

  Tensor x(DType::f32, Shape{4, 6}), c(DType::f32, Shape{4, 3});
  for (float& v : x.values<float>()) v = 2.0f * rng.uniform() - 1.0f;
  for (float& v : c.values<float>()) v = rng.uniform() - 0.5f;
  const float temperature = 0.7f;
  const double per_bit = 1e-3;
  layer.logits().value = {0.3f, -0.2f, 0.5f};
  // L(α) = Σ c ⊙ y + per_bit · Σ_k π_k bits_k
  const auto loss = [&](const std::vector<float>& logits) {
    layer.logits().value = logits;
    layer.set_temperature(temperature);
    const Tensor y = layer.forward(x, false);
    double sum = per_bit * layer.expected_bits();
    for (size_t i = 0; i < y.element_count(); ++i)
      sum += c.values<float>()[i] * y.values<float>()[i];
    return sum;
  };
  const std::vector<float> alpha = {0.3f, -0.2f, 0.5f};
  loss(alpha);
  layer.set_penalty(per_bit);
  for (auto& [name, g] : inner_grads)
    std::fill(g.values<float>().begin(), g.values<float>().end(), 0.0f);
  layer.logits().zero_grad();
  layer.backward(c);
  const std::vector<float> analytic = layer.logits().grad;
  for (size_t k = 0; k < 3; ++k) {
    const float h = 1e-2f;
    std::vector<float> plus = alpha, minus = alpha;
    plus[k] += h;
    minus[k] -= h;
    const double numeric = (loss(plus) - loss(minus)) / (2 * h);
    EXPECT_NEAR(analytic[k], numeric, 1e-3 * (1 + std::fabs(numeric))) << k;
  }
  double sum = 0, largest = 0;
  for (float g : analytic) {
    sum += g;
    largest = std::max(largest, std::fabs(static_cast<double>(g)));
  }
  EXPECT_GT(largest, 1e-2);     // not vacuous
  EXPECT_NEAR(sum, 0.0, 1e-5);  // softmax: shifting every logit changes nothing
}

}  // namespace
}  // namespace quantlab::train
