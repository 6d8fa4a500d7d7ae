// Quantization of the language model's Linears through the plans: every plan kind applies, the
// integer session follows FP32 closely at INT8, GPTQ calibrates on text, the tied head quantizes
// the embedding too, and a plan naming no Linear of the LM is refused with the valid names.
#include <gtest/gtest.h>

#include <cmath>

#include "lm_test_model.h"
#include "quantlab/error.h"
#include "quantlab/quantize_lm.h"

namespace quantlab::quantization {
namespace {

const std::vector<int32_t> kText = {1, 2, 3, 4, 1, 3, 2, 4, 4, 1, 2, 2, 3, 1, 4, 3,
                                    2, 1, 1, 4, 3, 2, 4, 1, 3, 3, 2, 1, 4, 2, 1, 3};

QuantizedLanguageModel quantized(const nn::lm::LanguageModel& model, const Plan& plan) {
  CalibrationOptions options;
  options.samples = 4;
  return quantize_language_model(model, plan,
                                 calibrate_language_model(model, plan, kText, options));
}

// Largest |logit difference| between FP32 and `plan` over the first window of kText.
double max_logit_error(const nn::lm::LanguageModel& model, const Plan& plan) {
  nn::lm::Session fp32(model, nn::lm::fp32_linears(Impl::ref));
  const Tensor reference = fp32.forward(std::span(kText).first(8));
  const QuantizedLanguageModel q = quantized(model, plan);
  nn::lm::Session session(q.model, integer_linears(q, Impl::ref));
  const Tensor logits = session.forward(std::span(kText).first(8));
  double error = 0;
  for (size_t i = 0; i < logits.element_count(); ++i) {
    error = std::max(error, static_cast<double>(std::abs(logits.values<float>()[i] -
                                                         reference.values<float>()[i])));
  }
  return error;
}

TEST(LmQuantize, EveryLinearIsQuantizedByThePlan) {
  const nn::lm::LanguageModel model = testing::small_language_model();
  const QuantizedLanguageModel q = quantized(model, preset("w4a8"));
  EXPECT_EQ(q.linears.layers.size(), 9u);  // 4 per block and the head
  EXPECT_TRUE(q.linears.layers.contains("block1.mlp.down"));
  EXPECT_EQ(q.linears.layers.at("head").weight.scheme.group_size, 32u);
  EXPECT_NEAR(q.bits_per_weight(), 5.125, 0.01);
  EXPECT_LT(q.weight_bytes(), nn::lm::parameter_count(model));  // under a byte per parameter
  // The tied embedding reads the head's dequantized codes.
  const auto embed = q.model.parameter("embed.weight").values<float>();
  const auto original = model.parameter("embed.weight").values<float>();
  EXPECT_NE(std::vector<float>(embed.begin(), embed.end()),
            std::vector<float>(original.begin(), original.end()));
}

TEST(LmQuantize, Int8FollowsFp32AndInt4PerTensorStraysFurther) {
  const nn::lm::LanguageModel model = testing::small_language_model();
  const double int8 = max_logit_error(model, preset("int8"));
  const double int4_tensor = max_logit_error(model, preset("int4-tensor"));
  // Static int8 activations on a random model whose logits span several units: 0.085 measured.
  EXPECT_LT(int8, 0.15);
  EXPECT_GT(int4_tensor, int8);
}

TEST(LmQuantize, GptqAndPerLayerPlansApply) {
  const nn::lm::LanguageModel model = testing::small_language_model();
  Plan gptq = preset("int4-g32");
  gptq.defaults.method = WeightMethod::gptq;
  EXPECT_LT(max_logit_error(model, gptq), 1.0);
  // Mixed: the head in FP32, one MLP in INT8 dynamic, the rest INT4.
  Plan mixed = preset("int4-g32");
  mixed.layers["head"] = LayerPlan{};
  mixed.layers["block0.mlp.up"] = preset("int8-dynamic").defaults;
  const QuantizedLanguageModel q = quantized(model, mixed);
  EXPECT_FALSE(q.linears.layers.contains("head"));
  EXPECT_EQ(q.linears.layers.at("block0.mlp.up").weight.scheme.bits, 8);
  EXPECT_EQ(q.linears.layers.at("block0.mlp.down").weight.scheme.bits, 4);
}

TEST(LmQuantize, APlanNamingNoLinearOfTheModelIsRefused) {
  const nn::lm::LanguageModel model = testing::small_language_model();
  Plan plan = preset("int8");
  plan.layers["fc1"] = plan.defaults;
  try {
    quantized(model, plan);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("block0.attn.qkv"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace quantlab::quantization
