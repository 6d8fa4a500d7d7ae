// Plans: presets, and the errors of plans the model or the kernels cannot run.
#include <gtest/gtest.h>

#include "quantlab/error.h"
#include "quantlab/io.h"
#include "quantlab/quantize.h"

namespace quantlab::quantization {
namespace {

nn::Model small_cnn() {
  nn::Model model;
  model.input_shape = Shape{1, 8, 8};
  model.layers = {nn::conv2d("conv1", 1, 4, 3, 1, 1), nn::relu("relu1"), nn::flatten("flat"),
                  nn::linear("fc", 4 * 8 * 8, 10)};
  nn::allocate_parameters(model);
  return model;
}

std::string error_of(const Plan& plan, const nn::Model& model) {
  try {
    validate_plan(plan, model);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

TEST(Plan, EveryPresetValidatesOnAConvNet) {
  for (const std::string& name : preset_names()) {
    SCOPED_TRACE(name);
    const Plan plan = preset(name);
    EXPECT_EQ(plan.name, name);
    EXPECT_NO_THROW(validate_plan(plan, small_cnn()));
  }
}

TEST(Plan, PresetsSayWhatTheIssueAsks) {
  EXPECT_EQ(preset("int8").defaults.weights, WeightFormat::int8);
  EXPECT_EQ(preset("int8").defaults.granularity, Granularity::per_channel);
  EXPECT_EQ(preset("int8").defaults.activations, Activations::int8_static);
  EXPECT_EQ(preset("int8-dynamic").defaults.activations, Activations::int8_dynamic);
  EXPECT_EQ(preset("int4-g32").defaults.granularity, Granularity::per_group);
  EXPECT_EQ(preset("int4-g32").defaults.group_size, 32u);
  EXPECT_EQ(preset("int4-g32").defaults.activations, Activations::fp32);
  EXPECT_FALSE(preset("int4-g32").defaults.symmetric);
  EXPECT_EQ(preset("int4-g32").defaults.weight_range, calib::WeightRange::mse);
  EXPECT_EQ(preset("int4-tensor").defaults.granularity, Granularity::per_tensor);
  EXPECT_EQ(preset("w4a8").defaults.weights, WeightFormat::int4);
  EXPECT_EQ(preset("w4a8").defaults.activations, Activations::int8_dynamic);
  EXPECT_EQ(preset("fp32").defaults.weights, WeightFormat::fp32);
  EXPECT_THROW(preset("int3"), InvalidArgument);
}

TEST(Plan, ImpossiblePlansNameTheLayerTheFieldAndWhy) {
  const nn::Model model = small_cnn();
  Plan plan = preset("int4-g32");
  plan.layers["fc"] = plan.defaults;
  plan.layers["fc"].group_size = 36;
  EXPECT_EQ(error_of(plan, model),
            "fc.weights: group size 36 — the INT4 kernels need a multiple of 8 (or a group "
            "covering the whole row, K = 256)");

  plan = preset("int8");
  plan.layers["conv1"] = plan.defaults;
  plan.layers["conv1"].activations = Activations::fp32;
  EXPECT_NE(error_of(plan, model).find("conv1.weights: INT8 weights need int8 activations"),
            std::string::npos);

  plan = preset("int8");
  plan.defaults.symmetric = false;
  EXPECT_NE(error_of(plan, model).find("conv1.weights: the INT8 kernels take symmetric weights"),
            std::string::npos);

  plan = preset("int8");
  plan.defaults.granularity = Granularity::per_group;
  EXPECT_NE(error_of(plan, model).find("per-tensor or per-channel"), std::string::npos);

  plan = preset("fp32");
  plan.defaults.activations = Activations::int8_static;
  EXPECT_NE(error_of(plan, model).find("default.activations"), std::string::npos);

  plan = preset("int8");
  plan.layers["relu1"] = plan.defaults;
  EXPECT_NE(error_of(plan, model).find("plan names layer 'relu1', which is not a linear or conv2d"),
            std::string::npos);
}

TEST(Plan, JsonRoundTripAndPartialOverrides) {
  const Plan plan = parse_plan(R"({"name": "mixed",
      "default": {"weights": "int4", "granularity": "per_group", "group_size": 64},
      "layers": {"fc": {"weights": "int8", "granularity": "per_channel",
                        "activations": "int8-dynamic"}}})",
                               "mixed.json");
  EXPECT_EQ(plan.name, "mixed");
  EXPECT_EQ(plan.defaults.group_size, 64u);
  EXPECT_EQ(plan.for_layer("conv1").weights, WeightFormat::int4);
  // An override keeps the default's fields it does not name.
  EXPECT_EQ(plan.for_layer("fc").weights, WeightFormat::int8);
  EXPECT_EQ(plan.for_layer("fc").group_size, 64u);
  EXPECT_NO_THROW(validate_plan(plan, small_cnn()));
  EXPECT_EQ(parse_plan(plan_to_json(plan).dump(), "again"), plan);
  for (const std::string& name : preset_names()) {
    EXPECT_EQ(parse_plan(plan_to_json(preset(name)).dump(), name), preset(name)) << name;
  }
}

TEST(Plan, JsonErrorsNameTheFileAndField) {
  const auto error = [](const std::string& text) {
    try {
      parse_plan(text, "p.json");
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error(R"({"default": {"weights": "int3"}})").find("p.json.default.weights"),
            std::string::npos);
  EXPECT_NE(error(R"({"default": {"bits": 4}})").find("bits"), std::string::npos);
  EXPECT_NE(error(R"({"layers": {"fc": {"granularity": "per_row"}}})")
                .find("p.json.layers.fc.granularity: unknown granularity 'per_row'"),
            std::string::npos);
  EXPECT_NE(error(R"({"format": "other"})").find("p.json.format"), std::string::npos);
  EXPECT_NE(error(R"([1, 2])").find("p.json must be a JSON object"), std::string::npos);
}

}  // namespace
}  // namespace quantlab::quantization
