// Model validation, shape rules and BatchNorm folding.
#include <gtest/gtest.h>

#include "quantlab/error.h"
#include "quantlab/nn.h"

namespace quantlab::nn {
namespace {

Model small_cnn() {
  Model m;
  m.input_shape = Shape{1, 8, 8};
  m.layers = {conv2d("conv", 1, 2, 3, 1, 1), relu("act"), maxpool2d("pool", 2, 2), flatten("flat"),
              linear("fc", 32, 3)};
  allocate_parameters(m);
  return m;
}

void expect_error_mentions(const Model& m, const std::string& fragment) {
  try {
    validate_model(m);
    FAIL() << "no error; expected one mentioning " << fragment;
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(Model, ChainsShapes) {
  const Model m = small_cnn();
  validate_model(m);
  const std::vector<Shape> shapes = layer_output_shapes(m);
  EXPECT_EQ(shapes[0], (Shape{2, 8, 8}));
  EXPECT_EQ(shapes[2], (Shape{2, 4, 4}));
  EXPECT_EQ(shapes[3], (Shape{32}));
  EXPECT_EQ(shapes[4], (Shape{3}));
  EXPECT_EQ(parameter_count(m), 2u * 9 + 2 + 32 * 3 + 3);
  EXPECT_EQ(output_shape(conv2d("c", 3, 4, 3, 2, 0), Shape{3, 9, 7}), (Shape{4, 4, 3}));
}

TEST(Model, ErrorsNameTheProblem) {
  Model missing = small_cnn();
  missing.parameters.erase("fc.bias");
  expect_error_mentions(missing, "fc.bias");

  Model wrong_shape = small_cnn();
  wrong_shape.parameters.insert_or_assign("conv.weight", Tensor(DType::f32, Shape{2, 1, 3}));
  expect_error_mentions(wrong_shape, "conv.weight");

  Model extra = small_cnn();
  extra.parameters.emplace("ghost.weight", Tensor(DType::f32, Shape{1}));
  expect_error_mentions(extra, "ghost.weight");

  Model mismatch = small_cnn();
  mismatch.layers[4] = linear("fc", 31, 3);
  allocate_parameters(mismatch);
  expect_error_mentions(mismatch, "'fc'");

  Model duplicate = small_cnn();
  duplicate.layers[1].name = "conv";
  expect_error_mentions(duplicate, "used twice");

  EXPECT_THROW(output_shape(maxpool2d("p", 5, 1), Shape{1, 4, 4}), InvalidArgument);
  EXPECT_THROW(output_shape(dropout("d", 1.0f), Shape{4}), InvalidArgument);
  EXPECT_THROW(parse_layer_kind("lstm"), InvalidArgument);
  EXPECT_EQ(parse_layer_kind(layer_kind_name(LayerKind::avgpool2d)), LayerKind::avgpool2d);
}

TEST(Model, FoldsBatchNormIntoThePreviousLayer) {
  Model m;
  m.input_shape = Shape{2};
  m.layers = {linear("fc", 2, 2), batchnorm("bn", 2, 0.0001f)};
  allocate_parameters(m);
  auto set = [&](const std::string& name, std::vector<float> v) {
    m.parameter(name) = Tensor::from_f32(m.parameter(name).shape(), v);
  };
  set("fc.weight", {1, 2, 3, 4});
  set("fc.bias", {0.5f, -1});
  set("bn.weight", {2, 0.5f});
  set("bn.bias", {1, 0});
  set("bn.running_mean", {0.5f, 1});
  set("bn.running_var", {4 - 0.0001f, 1 - 0.0001f});  // σ = 2 and 1
  const Model folded = fold_for_inference(m);
  ASSERT_EQ(folded.layers.size(), 1u);
  auto w = folded.parameter("fc.weight").values<float>();
  auto b = folded.parameter("fc.bias").values<float>();
  // Row 0 scaled by γ/σ = 1, row 1 by 0.5; b' = (b − μ)·γ/σ + β.
  EXPECT_NEAR(w[0], 1, 1e-5);
  EXPECT_NEAR(w[1], 2, 1e-5);
  EXPECT_NEAR(w[2], 1.5f, 1e-5);
  EXPECT_NEAR(w[3], 2, 1e-5);
  EXPECT_NEAR(b[0], 1, 1e-5);
  EXPECT_NEAR(b[1], -1, 1e-5);

  Model orphan;
  orphan.input_shape = Shape{2};
  orphan.layers = {relu("act"), batchnorm("bn", 2)};
  allocate_parameters(orphan);
  EXPECT_THROW(fold_for_inference(orphan), InvalidArgument);
}

}  // namespace
}  // namespace quantlab::nn
