// Backprop of the language model (LayerNorm, causal attention, GELU MLP, residuals, tied
// embedding, positions) against central finite differences, with the tolerance argument of
// gradient_check_test.cpp; and the trainer's forward against the inference session's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "quantlab/error.h"
#include "quantlab/train_lm.h"

namespace quantlab::train {
namespace {

using nn::lm::LanguageModel;

constexpr float kStep = 1e-3f;

LanguageModel tiny_model() {
  LanguageModel model;
  model.config = {.vocab = 7, .context = 6, .width = 8, .heads = 2, .layers = 2, .hidden = 12};
  model.tokenizer = nn::lm::Tokenizer("abcdef");
  initialize_language_model(model, 5);
  // Larger weights than the 0.02 initialisation, so attention is far from uniform and every
  // term of every gradient is exercised.
  Rng rng(9);
  for (auto& [name, tensor] : model.parameters) {
    for (float& v : tensor.values<float>()) v += 0.6f * (rng.uniform() - 0.5f);
  }
  return model;
}

std::vector<int32_t> random_tokens(size_t count, size_t vocab, Rng& rng) {
  std::vector<int32_t> tokens(count);
  for (int32_t& t : tokens) t = static_cast<int32_t>(rng.below(vocab));
  return tokens;
}

TEST(LmGradients, MatchFiniteDifferencesForEveryParameter) {
  LanguageModel model = tiny_model();
  Rng rng(3);
  const size_t batch = 2, length = 5;
  const std::vector<int32_t> tokens = random_tokens(batch * (length + 1), model.config.vocab, rng);
  LmNetwork network(model);
  network.step(tokens, batch, length, true);
  const std::map<std::string, Tensor> gradients = network.gradients();
  size_t checked = 0;
  for (auto& [name, tensor] : model.parameters) {
    auto values = tensor.values<float>();
    const auto analytic = gradients.at(name).values<float>();
    // A few entries of each tensor, spread over it.
    for (size_t i = 0; i < values.size(); i += std::max<size_t>(1, values.size() / 5)) {
      const float saved = values[i];
      values[i] = saved + kStep;
      const double plus = LmNetwork(model).step(tokens, batch, length, false);
      values[i] = saved - kStep;
      const double minus = LmNetwork(model).step(tokens, batch, length, false);
      values[i] = saved;
      const double numeric = (plus - minus) / (2 * kStep);
      EXPECT_NEAR(analytic[i], numeric, 2e-3 + 2e-2 * std::abs(numeric)) << name << "[" << i << "]";
      ++checked;
    }
  }
  EXPECT_GT(checked, 100u);
}

TEST(LmGradients, TrainerForwardEqualsTheSessionsLoss) {
  LanguageModel model = tiny_model();
  Rng rng(4);
  const size_t length = 6;
  const std::vector<int32_t> tokens = random_tokens(length + 1, model.config.vocab, rng);
  const double trained = LmNetwork(model).step(tokens, 1, length, false);
  nn::lm::Session session(model, nn::lm::fp32_linears(Impl::ref));
  const Tensor logits = session.forward(std::span(tokens).first(length));
  const std::vector<int32_t> targets(tokens.begin() + 1, tokens.end());
  EXPECT_NEAR(softmax_cross_entropy(logits, targets, nullptr).loss, trained, 1e-5);
}

TEST(LmTraining, IsDeterministicAndLowersTheLoss) {
  auto run = [] {
    LanguageModel model = tiny_model();
    initialize_language_model(model, 5);
    // A repeating pattern the model can learn in a few steps.
    std::vector<int32_t> tokens;
    for (size_t i = 0; i < 200; ++i) tokens.push_back(static_cast<int32_t>(1 + i % 4));
    LmTrainConfig config;
    config.steps = 40;
    config.batch_size = 4;
    config.sequence = 6;
    config.warmup = 5;
    config.optimizer.learning_rate = 1e-2f;
    std::vector<double> losses;
    train_language_model(model, tokens, config, [&](const LmProgress& p) {
      losses.push_back(p.loss);
      return true;
    });
    return std::make_pair(losses, model.parameter("block1.mlp.up.weight").values<float>()[3]);
  };
  const auto [losses, weight] = run();
  ASSERT_EQ(losses.size(), 40u);
  EXPECT_LT(losses.back(), 0.5 * losses.front());
  const auto again = run();
  EXPECT_EQ(again.first, losses);
  EXPECT_EQ(again.second, weight);
}

TEST(LmTraining, RejectsASequenceLongerThanTheContext) {
  LanguageModel model = tiny_model();
  std::vector<int32_t> tokens(100, 1);
  LmTrainConfig config;
  config.sequence = 7;
  EXPECT_THROW(train_language_model(model, tokens, config), InvalidArgument);
}

}  // namespace
}  // namespace quantlab::train
