// QAT on the shipped fashion-mlp with small slices of the training split (frugal): the integer
// model agrees with the fake-quant model it was trained as, learned bit-widths end in a valid
// discrete plan within the budget, cancellation leaves a usable model, and the result survives
// io's save/load.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>

#include "quantlab/error.h"
#include "quantlab/eval.h"
#include "quantlab/io.h"
#include "quantlab/train_qat.h"
#include "shipped_data.h"

namespace quantlab::train {
namespace {

// fashion-mlp with the first 4096 training and 2000 test examples.
struct Fixture {
  testing::Shipped shipped = testing::load_shipped("fashion-mlp");
  const nn::Model& model = shipped.model;
  const ModelManifest& manifest = shipped.manifest;
  nn::Examples train = testing::shipped_examples(manifest, "train", 4096);
  nn::Examples test = testing::shipped_examples(manifest, "test", 2000);
};

const Fixture& fashion_mlp() {
  static const Fixture fixture;
  return fixture;
}

QatConfig quick_config() {
  QatConfig config;
  config.examples_per_epoch = 1024;  // 16 batches
  config.observer_steps = 8;
  config.calibration.samples = 256;
  return config;
}

double agreement(const QatResult& result, const Tensor& inputs) {
  const eval::Predictions integer =
      eval::predict(quantization::make_executor(result.quantized), inputs);
  const eval::Predictions simulated = eval::predict(fake_quant_executor(result), inputs);
  size_t same = 0;
  for (size_t i = 0; i < integer.classes.size(); ++i)
    same += integer.classes[i] == simulated.classes[i];
  return static_cast<double>(same) / static_cast<double>(integer.classes.size());
}

TEST(Qat, IntegerModelAgreesWithTheFakeQuantModelItWasTrainedAs) {
  const Fixture& f = fashion_mlp();
  for (const std::string preset : {"int8", "w4a8"}) {
    for (const bool lsq : {false, true}) {
      QatConfig config = quick_config();
      config.lsq = lsq;
      const QatResult result = qat(f.model, quantization::preset(preset), f.train, config);
      EXPECT_FALSE(result.cancelled);
      EXPECT_EQ(result.epochs_completed, 1u);
      EXPECT_EQ(result.steps, 16u);
      quantization::validate_quantized_model(result.quantized);
      EXPECT_EQ(result.quantized.plan.for_layer("fc1").weights,
                quantization::preset(preset).defaults.weights);
      EXPECT_GE(agreement(result, f.test.inputs), 0.999) << preset << (lsq ? " lsq" : "");
      // QAT moved the model off its PTQ starting point without wrecking it.
      const double accuracy =
          eval::evaluate(quantization::make_executor(result.quantized), f.test).accuracy();
      EXPECT_GT(accuracy, 0.8) << preset;
    }
  }
}

TEST(Qat, ConvolutionalModelAgreesToo) {
  const testing::Shipped cnn = testing::load_shipped("fashion-cnn");
  const nn::Model& model = cnn.model;
  const ModelManifest& manifest = cnn.manifest;
  const nn::Examples train = testing::shipped_examples(manifest, "train", 512);
  const nn::Examples test = testing::shipped_examples(manifest, "test", 1000);
  QatConfig config = quick_config();
  config.examples_per_epoch = 256;  // 4 batches
  config.lsq = true;
  const QatResult result = qat(model, quantization::preset("int8"), train, config);
  EXPECT_EQ(result.quantized.layers.at("conv1").weight.shape, (Shape{16, 1, 3, 3}));
  EXPECT_GE(agreement(result, test.inputs), 0.999);
}

TEST(Qat, FoldsBatchNormBeforeTrainingAndDropsDropout) {
  nn::Model model;
  model.input_shape = Shape{1, 8, 8};
  model.layers = {nn::conv2d("conv", 1, 4, 3, 1, 1),
                  nn::batchnorm("bn", 4),
                  nn::relu("relu"),
                  nn::flatten("flatten"),
                  nn::dropout("drop", 0.2f),
                  nn::linear("fc", 256, 3)};
  initialize_parameters(model, 11);
  Rng rng(12);
  nn::Examples data{Tensor(DType::f32, Shape{512, 1, 8, 8}), {}};
  for (float& v : data.inputs.values<float>()) v = rng.uniform();
  for (size_t i = 0; i < 512; ++i) {
    // A learnable label: which third of the image is brightest.
    const float* x = data.inputs.values<float>().data() + i * 64;
    float sums[3] = {0, 0, 0};
    for (size_t j = 0; j < 64; ++j) sums[std::min<size_t>(j / 21, 2)] += x[j];
    data.labels.push_back(static_cast<int32_t>(std::max_element(sums, sums + 3) - sums));
  }
  TrainConfig fp32;
  fp32.epochs = 2;
  train(model, data, fp32);  // BatchNorm's running statistics move off 0 / 1
  QatConfig config = quick_config();
  config.examples_per_epoch = 0;
  config.lsq = true;
  const QatResult result = qat(model, quantization::preset("int8"), data, config);
  ASSERT_EQ(result.quantized.model.layers.size(), 4u);  // conv, relu, flatten, fc
  for (const nn::LayerSpec& spec : result.quantized.model.layers) {
    EXPECT_NE(spec.kind, nn::LayerKind::batchnorm);
    EXPECT_NE(spec.kind, nn::LayerKind::dropout);
  }
  EXPECT_GE(agreement(result, data.inputs), 0.999);
}

TEST(Qat, ResultSurvivesSaveAndLoad) {
  const Fixture& f = fashion_mlp();
  QatConfig config = quick_config();
  config.lsq = true;
  const QatResult result = qat(f.model, quantization::preset("int8"), f.train, config);
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("quantlab-qat-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  save_quantized_model(dir.string(), result.quantized, f.manifest);
  ModelManifest manifest;
  const quantization::QuantizedModel loaded = load_quantized_model(dir.string(), manifest);
  std::filesystem::remove_all(dir);
  const Tensor& inputs = f.test.inputs;
  const eval::Predictions a = eval::predict(quantization::make_executor(result.quantized), inputs);
  const eval::Predictions b = eval::predict(quantization::make_executor(loaded), inputs);
  EXPECT_EQ(a.classes, b.classes);
}

TEST(Qat, LearnedBitsEndInAValidDiscretePlanWithinTheBudget) {
  const Fixture& f = fashion_mlp();
  QatConfig config = quick_config();
  config.learn_bits = true;
  config.budget_bits = 6.0;
  config.lsq = true;
  const QatResult result = qat(f.model, quantization::preset("w4a8"), f.train, config);
  ASSERT_EQ(result.bits.size(), 3u);
  for (const LayerBits& bits : result.bits) {
    EXPECT_EQ(bits.candidates, (std::vector<std::string>{"fp32", "int8", "int4"}));
    double sum = 0;
    for (double p : bits.probabilities) sum += p;
    EXPECT_NEAR(sum, 1.0, 1e-5);
    EXPECT_EQ(quantization::weight_format_name(result.quantized.plan.for_layer(bits.layer).weights),
              bits.chosen);
  }
  quantization::validate_plan(result.quantized.plan, result.quantized.model);
  EXPECT_LE(result.quantized.bits_per_weight(), 6.0);
  EXPECT_GE(agreement(result, f.test.inputs), 0.999);
}

TEST(Qat, CancellationLeavesAUsableModel) {
  const Fixture& f = fashion_mlp();
  QatConfig config = quick_config();
  config.lsq = true;
  config.learn_bits = true;
  config.budget_bits = 6.0;
  size_t calls = 0;
  const QatResult by_callback =
      qat(f.model, quantization::preset("w4a8"), f.train, config, [&](const QatProgress& p) {
        EXPECT_FALSE(p.scales.empty());
        EXPECT_GT(p.expected_bits, 0.0);
        return ++calls < 3;
      });
  EXPECT_TRUE(by_callback.cancelled);
  EXPECT_EQ(by_callback.steps, 3u);
  EXPECT_EQ(by_callback.epochs_completed, 0u);
  EXPECT_LE(by_callback.quantized.bits_per_weight(), config.budget_bits);
  const eval::Evaluation usable =
      eval::evaluate(quantization::make_executor(by_callback.quantized), f.test);
  EXPECT_GT(usable.accuracy(), 0.5);

  std::atomic<bool> cancel{true};
  const QatResult by_flag =
      qat(f.model, quantization::preset("int8"), f.train, quick_config(), {}, &cancel);
  EXPECT_TRUE(by_flag.cancelled);
  EXPECT_EQ(by_flag.steps, 1u);
  quantization::validate_quantized_model(by_flag.quantized);
}

TEST(Qat, FourBitActivationsAreEvaluatedOnTheFakeQuantPath) {
  const Fixture& f = fashion_mlp();
  quantization::Plan plan = quantization::preset("int8");
  plan.defaults.weights = quantization::WeightFormat::int4;
  QatConfig config = quick_config();
  config.activation_bits = 4;
  config.lsq = true;
  const QatResult result = qat(f.model, plan, f.train, config);
  ASSERT_EQ(result.input_params_4bit.size(), 3u);
  for (const auto& [name, p] : result.input_params_4bit) {
    EXPECT_GE(p.zero_point, 0);
    EXPECT_LE(p.zero_point, 15);
    EXPECT_EQ(result.quantized.layers.at(name).input_params.zero_point, p.zero_point - 8);
  }
  // The 4-bit fake-quant model differs from (is coarser than) the int8-coded integer model.
  const double accuracy = eval::evaluate(fake_quant_executor(result), f.test).accuracy();
  EXPECT_GT(accuracy, 0.6);
}

TEST(Qat, RejectsBadConfigurations) {
  const Fixture& f = fashion_mlp();
  QatConfig config = quick_config();
  config.activation_bits = 6;
  EXPECT_THROW(qat(f.model, quantization::preset("int8"), f.train, config), InvalidArgument);
  // INT4 g32 asymmetric costs 5.125 bits per weight: a 5-bit budget cannot be met.
  config = quick_config();
  config.learn_bits = true;
  config.budget_bits = 5.0;
  EXPECT_THROW(qat(f.model, quantization::preset("w4a8"), f.train, config), InvalidArgument);
}

}  // namespace
}  // namespace quantlab::train
