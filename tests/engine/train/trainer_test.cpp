// The training loop: reproducibility, learning, cancellation, optimizers and schedules.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "quantlab/error.h"
#include "quantlab/eval.h"
#include "quantlab/train.h"

namespace quantlab::train {
namespace {

// Three classes of 2×4×4 images: class c has bright pixels in row c, plus seeded noise.
nn::Examples striped_images(size_t count, uint64_t seed) {
  Rng rng(seed);
  nn::Examples data;
  data.inputs = Tensor(DType::f32, Shape{count, 2, 4, 4});
  auto x = data.inputs.values<float>();
  for (size_t i = 0; i < count; ++i) {
    const auto label = static_cast<int32_t>(rng.below(3));
    data.labels.push_back(label);
    for (size_t j = 0; j < 32; ++j) {
      const size_t row = (j % 16) / 4;
      x[i * 32 + j] =
          (row == static_cast<size_t>(label) ? 1.0f : 0.0f) + 0.6f * (rng.uniform() - 0.5f);
    }
  }
  return data;
}

// Every trainable kind in one tiny network.
nn::Model tiny_cnn() {
  nn::Model m;
  m.input_shape = Shape{2, 4, 4};
  m.layers = {nn::conv2d("conv", 2, 4, 3, 1, 1),
              nn::batchnorm("bn", 4),
              nn::relu("relu"),
              nn::maxpool2d("pool", 2, 2),
              nn::flatten("flat"),
              nn::dropout("drop", 0.2f),
              nn::linear("fc", 16, 3)};
  initialize_parameters(m, 42);
  return m;
}

TrainConfig tiny_config() {
  TrainConfig config;
  config.epochs = 3;
  config.batch_size = 16;
  config.seed = 5;
  config.optimizer.kind = OptimizerKind::adam;
  config.optimizer.learning_rate = 0.01f;
  config.optimizer.weight_decay = 1e-3f;
  config.optimizer.schedule = ScheduleKind::cosine;
  return config;
}

bool same_bits(const nn::Model& a, const nn::Model& b) {
  if (a.parameters.size() != b.parameters.size()) return false;
  for (const auto& [name, tensor] : a.parameters) {
    const Tensor& other = b.parameter(name);
    if (tensor.byte_size() != other.byte_size() ||
        std::memcmp(tensor.bytes(), other.bytes(), tensor.byte_size()) != 0) {
      return false;
    }
  }
  return true;
}

TEST(Trainer, SameSeedGivesTheSameWeightsBitForBit) {
  const nn::Examples data = striped_images(200, 1);
  nn::Model first = tiny_cnn();
  nn::Model second = tiny_cnn();
  train(first, data, tiny_config());
  train(second, data, tiny_config());
  EXPECT_TRUE(same_bits(first, second));

  nn::Model other_seed = tiny_cnn();
  TrainConfig config = tiny_config();
  config.seed = 6;
  train(other_seed, data, config);
  EXPECT_FALSE(same_bits(first, other_seed));
}

TEST(Trainer, LearnsAndReportsProgress) {
  const nn::Examples data = striped_images(300, 2);
  const nn::Examples held_out = striped_images(100, 3);
  nn::Model model = tiny_cnn();
  const double before = eval::evaluate(nn::Executor(model), held_out).accuracy();
  std::vector<Progress> reports;
  const TrainResult result = train(model, data, tiny_config(), [&](const Progress& p) {
    reports.push_back(p);
    return true;
  });
  EXPECT_EQ(result.epochs_completed, 3u);
  EXPECT_FALSE(result.cancelled);
  ASSERT_EQ(reports.size(), 3u * 19);  // ceil(300 / 16) batches per epoch
  EXPECT_EQ(reports.back().epoch, 3u);
  EXPECT_EQ(reports.back().batch, 19u);
  EXPECT_LT(reports.back().loss, reports.front().loss);
  const double after = eval::evaluate(nn::Executor(model), held_out, 7).accuracy();
  EXPECT_GT(after, 0.95) << "accuracy before training " << before;
  EXPECT_GT(after, before);
}

TEST(Trainer, TrainsAModelEndingInSoftmaxThroughItsLogits) {
  nn::Model model = tiny_cnn();
  model.layers.push_back(nn::softmax("probs"));
  train(model, striped_images(300, 2), tiny_config());
  EXPECT_GT(eval::evaluate(nn::Executor(model), striped_images(100, 3)).accuracy(), 0.95);
}

TEST(Trainer, StopsWhenTheCallbackOrTheFlagSaysSo) {
  const nn::Examples data = striped_images(64, 4);
  nn::Model model = tiny_cnn();
  size_t calls = 0;
  TrainResult result =
      train(model, data, tiny_config(), [&](const Progress&) { return ++calls < 2; });
  EXPECT_TRUE(result.cancelled);
  EXPECT_EQ(calls, 2u);
  EXPECT_EQ(result.epochs_completed, 0u);

  std::atomic<bool> cancel{true};
  calls = 0;
  result = train(
      model, data, tiny_config(), [&](const Progress&) { return ++calls > 0; }, &cancel);
  EXPECT_TRUE(result.cancelled);
  EXPECT_EQ(calls, 1u);
}

TEST(Trainer, RejectsMismatchedExamples) {
  nn::Model model = tiny_cnn();
  nn::Examples wrong;
  wrong.inputs = Tensor(DType::f32, Shape{2, 2, 4, 5});
  wrong.labels = {0, 1};
  EXPECT_THROW(train(model, wrong, tiny_config()), InvalidArgument);
  nn::Examples bad_label = striped_images(4, 1);
  bad_label.labels[2] = 3;
  EXPECT_THROW(train(model, bad_label, tiny_config()), InvalidArgument);
}

nn::Model one_weight(float w) {
  nn::Model m;
  m.input_shape = Shape{1};
  m.layers = {nn::linear("fc", 1, 1)};
  nn::allocate_parameters(m);
  m.parameter("fc.weight").values<float>()[0] = w;
  return m;
}

TEST(Optimizer, SgdWithMomentumAndWeightDecayFollowsItsFormula) {
  nn::Model m = one_weight(1.0f);
  OptimizerConfig config;
  config.kind = OptimizerKind::sgd;
  config.learning_rate = 0.1f;
  config.momentum = 0.9f;
  config.weight_decay = 0.5f;
  Optimizer optimizer(config);
  std::map<std::string, Tensor> grads;
  grads.emplace("fc.weight", Tensor::from_f32(Shape{1, 1}, std::vector<float>{2.0f}));
  grads.emplace("fc.bias", Tensor::from_f32(Shape{1}, std::vector<float>{1.0f}));
  optimizer.step(m, grads, 0.1f);
  // v = g + λw = 2.5, w = 1 − 0.25; bias has no decay: v = 1, b = −0.1.
  EXPECT_NEAR(m.parameter("fc.weight").values<float>()[0], 0.75f, 1e-6);
  EXPECT_NEAR(m.parameter("fc.bias").values<float>()[0], -0.1f, 1e-6);
  optimizer.step(m, grads, 0.1f);
  // v = 0.9·2.5 + 2 + 0.5·0.75 = 4.625
  EXPECT_NEAR(m.parameter("fc.weight").values<float>()[0], 0.75f - 0.4625f, 1e-6);
}

TEST(Optimizer, AdamFirstStepMovesByTheLearningRate) {
  nn::Model m = one_weight(1.0f);
  OptimizerConfig config;
  config.kind = OptimizerKind::adam;
  config.learning_rate = 0.01f;
  Optimizer optimizer(config);
  std::map<std::string, Tensor> grads;
  grads.emplace("fc.weight", Tensor::from_f32(Shape{1, 1}, std::vector<float>{-3.0f}));
  optimizer.step(m, grads, 0.01f);
  // Bias-corrected m̂/sqrt(v̂) is sign(g) on the first step.
  EXPECT_NEAR(m.parameter("fc.weight").values<float>()[0], 1.01f, 1e-6);
}

TEST(Optimizer, SchedulesAndNames) {
  OptimizerConfig config;
  config.learning_rate = 1.0f;
  EXPECT_FLOAT_EQ(scheduled_learning_rate(config, 7, 10, 100), 1.0f);
  config.schedule = ScheduleKind::step;
  config.step_epochs = 2;
  config.gamma = 0.5f;
  EXPECT_FLOAT_EQ(scheduled_learning_rate(config, 19, 10, 100), 1.0f);
  EXPECT_FLOAT_EQ(scheduled_learning_rate(config, 20, 10, 100), 0.5f);
  EXPECT_FLOAT_EQ(scheduled_learning_rate(config, 45, 10, 100), 0.25f);
  config.schedule = ScheduleKind::cosine;
  EXPECT_FLOAT_EQ(scheduled_learning_rate(config, 0, 10, 100), 1.0f);
  EXPECT_NEAR(scheduled_learning_rate(config, 50, 10, 100), 0.5f, 1e-6);
  EXPECT_EQ(parse_schedule_kind("cosine"), ScheduleKind::cosine);
  EXPECT_EQ(parse_optimizer_kind("sgd"), OptimizerKind::sgd);
  EXPECT_EQ(parse_optimizer_kind("adam"), OptimizerKind::adam);
  EXPECT_THROW(parse_optimizer_kind("rmsprop"), InvalidArgument);
  EXPECT_THROW(parse_schedule_kind("linear"), InvalidArgument);
}

TEST(Loss, CrossEntropyMatchesItsDefinition) {
  const Tensor logits = Tensor::from_f32(Shape{2, 3}, std::vector<float>{1, 2, 3, 0, 0, 0});
  const std::vector<int32_t> labels{2, 1};
  Tensor grad;
  const LossResult result = softmax_cross_entropy(logits, labels, &grad);
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  EXPECT_NEAR(result.loss, (-std::log(std::exp(3.0) / z) + std::log(3.0)) / 2, 1e-6);
  EXPECT_EQ(result.correct, 1u);  // a tie picks the first class, not label 1
  EXPECT_NEAR(grad.values<float>()[2], (std::exp(3.0) / z - 1) / 2, 1e-6);
  EXPECT_NEAR(grad.values<float>()[4], (1.0 / 3 - 1) / 2, 1e-6);
  EXPECT_NEAR(grad.values<float>()[3], (1.0 / 3) / 2, 1e-6);
}

}  // namespace
}  // namespace quantlab::train
