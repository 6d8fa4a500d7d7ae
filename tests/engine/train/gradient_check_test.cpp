// Backprop of every layer kind against central finite differences.
//
// Tolerance: the loss is computed in float (about 1e-7 relative), so a central difference with
// step h = 1e-3 carries roughly 1e-7·|L|/h ≈ 3e-4 of rounding noise plus O(h²) truncation;
// |analytic − numeric| ≤ 2e-3 + 2e-2·|numeric| separates that noise from real gradient bugs
// (a wrong term is off by O(|gradient|)).
#include <gtest/gtest.h>

#include <cmath>

#include "quantlab/train.h"

namespace quantlab::train {
namespace {

using nn::Model;

constexpr float kStep = 1e-3f;
constexpr uint64_t kSeed = 7;

double loss_at(Model& model, const Tensor& input, const std::vector<int32_t>& labels) {
  // A fresh network draws the same dropout masks every time.
  Network network(model, kSeed);
  return softmax_cross_entropy(network.forward(input, true), labels, nullptr).loss;
}

void expect_close(double analytic, double numeric, const std::string& what) {
  EXPECT_NEAR(analytic, numeric, 2e-3 + 2e-2 * std::abs(numeric)) << what;
}

// Random input whose values stay at least 0.1 away from 0, so no ReLU kink lies within a step.
Tensor random_input(const Shape& shape, Rng& rng) {
  Tensor t(DType::f32, shape);
  for (float& v : t.values<float>()) {
    const float magnitude = 0.1f + rng.uniform();
    v = rng.uniform() < 0.5f ? -magnitude : magnitude;
  }
  return t;
}

// Distinct values 0.02 apart in shuffled order, so no two max-pool candidates swap within a step.
Tensor spaced_input(const Shape& shape, Rng& rng) {
  Tensor t(DType::f32, shape);
  auto values = t.values<float>();
  std::vector<size_t> order(values.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  rng.shuffle(order);
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = 0.02f * static_cast<float>(order[i]) - 0.01f * static_cast<float>(values.size());
  }
  return t;
}

void check_gradients(Model model, size_t batch, bool spaced = false) {
  initialize_parameters(model, 3);
  Rng rng(11);
  // Nonzero biases and BatchNorm affine terms so their gradients are exercised.
  for (auto& [name, tensor] : model.parameters) {
    if (name.ends_with(".bias")) {
      for (float& v : tensor.values<float>()) v = 0.2f * (rng.uniform() - 0.5f);
    }
  }
  std::vector<size_t> dims{batch};
  dims.insert(dims.end(), model.input_shape.dims().begin(), model.input_shape.dims().end());
  Tensor input = spaced ? spaced_input(Shape(dims), rng) : random_input(Shape(dims), rng);
  const size_t classes = nn::layer_output_shapes(model).back()[0];
  std::vector<int32_t> labels;
  for (size_t i = 0; i < batch; ++i) labels.push_back(static_cast<int32_t>(rng.below(classes)));

  Network network(model, kSeed);
  Tensor grad;
  softmax_cross_entropy(network.forward(input, true), labels, &grad);
  const Tensor grad_input = network.backward(grad);
  const std::map<std::string, Tensor> gradients = network.gradients();

  auto numeric = [&](float& value) {
    const float saved = value;
    value = saved + kStep;
    const double plus = loss_at(model, input, labels);
    value = saved - kStep;
    const double minus = loss_at(model, input, labels);
    value = saved;
    return (plus - minus) / (2.0 * kStep);
  };
  for (const auto& [name, gradient] : gradients) {
    auto values = model.parameter(name).values<float>();
    auto analytic = gradient.values<float>();
    for (size_t i = 0; i < values.size(); ++i) {
      expect_close(analytic[i], numeric(values[i]), name + "[" + std::to_string(i) + "]");
    }
  }
  auto x = input.values<float>();
  auto dx = grad_input.values<float>();
  for (size_t i = 0; i < x.size(); ++i) {
    expect_close(dx[i], numeric(x[i]), "input[" + std::to_string(i) + "]");
  }
  EXPECT_FALSE(gradients.empty());
}

TEST(GradientCheck, Linear) { check_gradients({Shape{6}, {nn::linear("fc", 6, 4)}, {}}, 3); }

TEST(GradientCheck, Conv2dWithStrideAndPadding) {
  check_gradients(
      {Shape{2, 5, 5},
       {nn::conv2d("conv", 2, 3, 3, 2, 1), nn::flatten("flat"), nn::linear("fc", 27, 4)},
       {}},
      2);
}

TEST(GradientCheck, Conv2dUnpadded) {
  check_gradients({Shape{1, 5, 4},
                   {nn::conv2d("conv", 1, 2, 2), nn::flatten("flat"), nn::linear("fc", 24, 3)},
                   {}},
                  2);
}

TEST(GradientCheck, Relu) {
  check_gradients({Shape{8}, {nn::relu("act"), nn::linear("fc", 8, 4)}, {}}, 3);
}

TEST(GradientCheck, MaxPool) {
  check_gradients({Shape{2, 5, 5},
                   {nn::maxpool2d("pool", 3, 1), nn::flatten("flat"), nn::linear("fc", 18, 4)},
                   {}},
                  2, true);
}

TEST(GradientCheck, AvgPool) {
  check_gradients({Shape{2, 4, 4},
                   {nn::avgpool2d("pool", 2, 2), nn::flatten("flat"), nn::linear("fc", 8, 4)},
                   {}},
                  2);
}

TEST(GradientCheck, Softmax) {
  check_gradients({Shape{5}, {nn::softmax("probs"), nn::linear("fc", 5, 3)}, {}}, 3);
}

TEST(GradientCheck, BatchNormOverFeatures) {
  check_gradients(
      {Shape{6}, {nn::linear("fc1", 6, 5), nn::batchnorm("norm", 5), nn::linear("fc2", 5, 3)}, {}},
      4);
}

TEST(GradientCheck, BatchNormOverChannels) {
  check_gradients({Shape{2, 4, 4},
                   {nn::conv2d("conv", 2, 3, 3, 1, 1), nn::batchnorm("norm", 3),
                    nn::flatten("flat"), nn::linear("fc", 48, 3)},
                   {}},
                  2);
}

TEST(GradientCheck, Dropout) {
  check_gradients({Shape{6}, {nn::dropout("drop", 0.5f), nn::linear("fc", 6, 4)}, {}}, 3);
}

}  // namespace
}  // namespace quantlab::train
