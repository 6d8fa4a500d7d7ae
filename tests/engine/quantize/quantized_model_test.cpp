// Whole models through the quantize layer: calibration ranges, where int8 codes flow, the
// integer path against the simulated (fake-quant) path, sizes, and the quantized model file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "quantlab/error.h"
#include "quantlab/eval.h"
#include "quantlab/io.h"
#include "quantlab/quantize.h"
#include "shipped_data.h"

namespace quantlab::quantization {
namespace {

using testing::shipped_examples;
using testing::shipped_models;

using testing::Shipped;
constexpr auto& load = testing::load_shipped;

QuantizedModel quantize_with(const Shipped& s, const Plan& plan) {
  const nn::Examples calibration = shipped_examples(s.manifest, "train", 512);
  return quantize_model(s.model, plan, calibrate(s.model, plan, calibration.inputs, {}));
}

TEST(Calibration, MinMaxRangesAreTheObservedExtremesOfEachStaticLayersInput) {
  const Shipped s = load("fashion-cnn");
  const nn::Examples data = shipped_examples(s.manifest, "train", 300);
  CalibrationOptions options;
  options.batch_size = 128;  // the range must not depend on how the set is cut
  const Calibration c = calibrate(s.model, preset("int8"), data.inputs, options);
  EXPECT_EQ(c.samples, 300u);
  const nn::Executor fp32(s.model);
  std::map<size_t, std::pair<float, float>> extremes;
  nn::RunOptions run;
  run.observer = [&](size_t point, const Tensor& value) {
    const auto v = value.values<float>();
    extremes[point] = {*std::min_element(v.begin(), v.end()),
                       *std::max_element(v.begin(), v.end())};
  };
  fp32.run(data.inputs, run);
  const nn::Model folded = nn::fold_for_inference(s.model);
  size_t checked = 0;
  for (size_t i = 0; i < folded.layers.size(); ++i) {
    const auto it = c.input_ranges.find(folded.layers[i].name);
    if (it == c.input_ranges.end()) continue;
    EXPECT_EQ(it->second.min, extremes[i].first) << folded.layers[i].name;
    EXPECT_EQ(it->second.max, extremes[i].second) << folded.layers[i].name;
    ++checked;
  }
  EXPECT_EQ(checked, 4u);  // conv1, conv2, fc1, fc2
}

TEST(IntegerExecution, StaticInt8LayersPassCodesThroughReluPoolAndFlatten) {
  const QuantizedModel q = quantize_with(load("fashion-cnn"), preset("int8"));
  const nn::Executor executor = make_executor(q);
  std::vector<std::string> int8_outputs;
  for (size_t i = 0; i < executor.layer_count(); ++i) {
    if (executor.layer(i).output_dtype() == DType::i8) {
      int8_outputs.push_back(executor.layer(i).spec().name);
    }
  }
  // Everything from conv1 to the last ReLU hands codes on; fc2 dequantizes for the logits.
  EXPECT_EQ(int8_outputs, (std::vector<std::string>{"conv1", "relu1", "pool1", "conv2", "relu2",
                                                    "pool2", "flatten", "fc1", "relu3"}));
  EXPECT_EQ(executor.layer(0).input_dtype(), DType::f32);
}

// The integer path (exact int32 sums, one float scaling) and the simulated path (float sums of
// dequantized values) compute the same quantized network in different orders. Where a summation
// difference moves a requantized value across a rounding boundary, one code changes by one step
// and the difference propagates; the bound asserted is that the two paths differ from each other
// at least 10× (10 dB) less than either differs from FP32, i.e. the simulation is a faithful
// model of the integer network, plus ≥ 99.9% identical predictions.
TEST(IntegerExecution, AgreesWithTheSimulatedPathOnEveryShippedModelAndPreset) {
  for (const std::string& name : shipped_models()) {
    const Shipped s = load(name);
    const nn::Examples test = shipped_examples(s.manifest, "test", 2000);
    const eval::Predictions fp32 = eval::predict(nn::Executor(s.model), test.inputs);
    for (const std::string& plan : preset_names()) {
      SCOPED_TRACE(name + " / " + plan);
      const QuantizedModel q = quantize_with(s, preset(plan));
      const eval::Predictions integer = eval::predict(make_executor(q), test.inputs);
      const eval::Predictions simulated =
          eval::predict(make_executor(q, Execution::simulated), test.inputs);
      const eval::Comparison paths = eval::compare(simulated, integer, test.labels);
      EXPECT_GE(paths.agreement, 0.999);
      if (plan == "fp32") {
        EXPECT_EQ(paths.agreement, 1.0);
        continue;
      }
      const double quantization_error = eval::compare(fp32, integer, test.labels).output_sqnr_db;
      EXPECT_GE(paths.output_sqnr_db, quantization_error + 10.0);
    }
  }
}

// One Linear layer: the integer result is s_a·s_w·Σ q_a q_w + b (Eq. 14) and the simulated one
// Σ x̂·ŵ + b in float; they differ only by float rounding, bounded as the kernels' tolerance:
// (K + 2)·FLT_EPSILON·(Σ|x̂·ŵ| + |b|).
TEST(IntegerExecution, OneLinearLayerMatchesTheSimulatedPathWithinTheDotTolerance) {
  nn::Model model;
  model.input_shape = Shape{64};
  model.layers = {nn::linear("fc", 64, 5)};
  nn::allocate_parameters(model);
  auto w = model.parameter("fc.weight").values<float>();
  auto b = model.parameter("fc.bias").values<float>();
  for (size_t i = 0; i < w.size(); ++i) w[i] = std::sin(0.7f * i) * 0.3f;
  for (size_t i = 0; i < b.size(); ++i) b[i] = 0.1f * i - 0.2f;
  Tensor x(DType::f32, Shape{3, 64});
  auto xv = x.values<float>();
  for (size_t i = 0; i < xv.size(); ++i) xv[i] = std::cos(0.3f * i) * 2.0f;
  for (const char* name : {"int8", "int8-dynamic", "int4-g32", "w4a8"}) {
    SCOPED_TRACE(name);
    const QuantizedModel q =
        quantize_model(model, preset(name), calibrate(model, preset(name), x, {}));
    const Tensor integer = make_executor(q).run(x).output;
    const Tensor simulated = make_executor(q, Execution::simulated).run(x).output;
    const std::vector<float> wq = dequantize(q.layers.at("fc").weight);
    for (size_t m = 0; m < 3; ++m) {
      double magnitude = 0;
      for (size_t k = 0; k < 64; ++k) magnitude += std::abs(xv[m * 64 + k]) * 1.01;
      for (size_t n = 0; n < 5; ++n) {
        double row = 0;
        for (size_t k = 0; k < 64; ++k)
          row = std::max(row, static_cast<double>(std::abs(wq[n * 64 + k])));
        const double bound = 66 * FLT_EPSILON * (magnitude * row + std::abs(b[n])) + FLT_MIN;
        EXPECT_NEAR(integer.values<float>()[m * 5 + n], simulated.values<float>()[m * 5 + n],
                    bound);
      }
    }
  }
}

TEST(QuantizedModel, SizesCountCodesScalesZeroPointsAndFp32Parameters) {
  const Shipped s = load("fashion-mlp");
  const QuantizedModel fp32 = quantize_model(s.model, preset("fp32"), {});
  EXPECT_EQ(fp32.weight_bytes(), 4 * nn::parameter_count(s.model));
  EXPECT_DOUBLE_EQ(fp32.bits_per_weight(), 32.0);
  Plan symmetric = preset("int4-g32");
  symmetric.defaults.symmetric = true;
  const QuantizedModel g32 = quantize_model(s.model, symmetric, {});
  // 784-256-128-10 (Eq. 10): 4 bits per code plus a 32-bit scale per group of 32 along K; K = 784
  // ends in a short 25th group, which has its own scale.
  const size_t weights = 784 * 256 + 256 * 128 + 128 * 10;
  const size_t scales = 256 * 25 + 128 * 8 + 10 * 4;
  EXPECT_EQ(g32.weight_count(), weights);
  EXPECT_DOUBLE_EQ(g32.bits_per_weight(), static_cast<double>(4 * weights + 32 * scales) / weights);
  EXPECT_EQ(g32.weight_bytes(), (4 * weights + 32 * scales) / 8 + 4 * (256 + 128 + 10));
  // Asymmetric groups add a 4-bit zero point each.
  const QuantizedModel asymmetric = quantize_model(s.model, preset("int4-g32"), {});
  EXPECT_DOUBLE_EQ(asymmetric.bits_per_weight(),
                   static_cast<double>(4 * weights + 36 * scales) / weights);
}

TEST(QuantizedModelFile, RoundTripGivesTheSameOutputsBitForBit) {
  const Shipped s = load("fashion-cnn");
  const nn::Examples test = shipped_examples(s.manifest, "test", 500);
  Plan mixed = preset("int8");
  mixed.name = "mixed";
  mixed.layers["conv1"] = preset("int4-g32").defaults;
  mixed.layers["conv1"].symmetric = true;
  mixed.layers["fc2"] = preset("fp32").defaults;
  for (const Plan& plan : {preset("int8"), preset("int4-g32"), preset("w4a8"), mixed}) {
    SCOPED_TRACE(plan.name);
    const QuantizedModel q = quantize_with(s, plan);
    const std::string manifest = serialize_quantized_manifest(q, s.manifest);
    const std::vector<uint8_t> weights = serialize_quantized_weights(q);
    ModelManifest read_manifest;
    const QuantizedModel back =
        parse_quantized_model({reinterpret_cast<const uint8_t*>(manifest.data()), manifest.size()},
                              weights, read_manifest);
    EXPECT_EQ(back.plan, q.plan);
    EXPECT_EQ(read_manifest.name, s.manifest.name);
    EXPECT_EQ(back.weight_bytes(), q.weight_bytes());
    const Tensor before = make_executor(q).run(test.inputs).output;
    const Tensor after = make_executor(back).run(test.inputs).output;
    ASSERT_EQ(before.byte_size(), after.byte_size());
    EXPECT_TRUE(std::equal(before.bytes(), before.bytes() + before.byte_size(), after.bytes()));
    // What the file stores is what the size accounting counts, plus the safetensors header.
    EXPECT_GE(weights.size(), q.weight_bytes());
    EXPECT_LT(weights.size(), q.weight_bytes() + 4096);
  }
}

TEST(QuantizedModelFile, CorruptFilesAreRefusedNamingTheTensorOrField) {
  const Shipped s = load("mnist-mlp");
  const QuantizedModel q = quantize_with(s, preset("int4-g32"));
  const std::string manifest = serialize_quantized_manifest(q, s.manifest);
  const auto error = [&](const std::string& m, const std::vector<uint8_t>& w) {
    ModelManifest out;
    try {
      parse_quantized_model({reinterpret_cast<const uint8_t*>(m.data()), m.size()}, w, out);
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  // A codes tensor of the wrong shape.
  QuantizedModel wrong = q;
  TensorFile file = parse_safetensors(serialize_quantized_weights(q));
  file.tensors["fc1.weight.codes"] = Tensor(DType::u8, Shape{256, 100});
  EXPECT_NE(error(manifest, serialize_safetensors(file)).find("fc1.weight.codes"),
            std::string::npos);
  // A missing scale tensor.
  file = parse_safetensors(serialize_quantized_weights(q));
  file.tensors.erase("fc2.weight.scales");
  EXPECT_NE(error(manifest, serialize_safetensors(file)).find("fc2.weight.scales"),
            std::string::npos);
  // A zero scale.
  file = parse_safetensors(serialize_quantized_weights(q));
  file.tensors["fc3.weight.scales"].values<float>()[0] = 0.0f;
  EXPECT_NE(
      error(manifest, serialize_safetensors(file)).find("fc3.weight: scale 0 must be positive"),
      std::string::npos);
  // A plan the kernels cannot run.
  std::string bad = manifest;
  const size_t at = bad.find("\"group_size\": 32");
  ASSERT_NE(at, std::string::npos);
  bad.replace(at, 16, "\"group_size\": 36");
  EXPECT_NE(error(bad, serialize_quantized_weights(q)).find("group size 36"), std::string::npos);
}

}  // namespace
}  // namespace quantlab::quantization
