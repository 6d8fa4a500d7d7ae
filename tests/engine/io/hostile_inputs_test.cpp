// Hostile files from issue 13, built in memory: each is either refused with an error naming the
// file, the field and the limit, or read in linear time. No test measures time (the machine is
// shared); the inputs are sized so that quadratic work would take many minutes, which the ctest
// TIMEOUT in CMakeLists.txt turns into a failure.
#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/expect_error.h"
#include "io/strict_json.h"
#include "quantlab/io.h"
#include "quantlab/nn.h"

namespace quantlab {
namespace {

using nlohmann::json;

// The callback parser this replaced rescanned the parent after every object: 4 s for 40,000
// members on an idle machine, so about 15 minutes for these, against a 300 s ctest TIMEOUT.
constexpr size_t kManyObjects = 600'000;

std::span<const uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

std::vector<uint8_t> safetensors_with_header(const std::string& header) {
  std::vector<uint8_t> bytes(8 + header.size());
  const uint64_t length = header.size();
  std::memcpy(bytes.data(), &length, 8);
  std::memcpy(bytes.data() + 8, header.data(), header.size());
  return bytes;
}

// {"t0": {"dtype": "U8", "shape": [0], "data_offsets": [0, 0]}, ...}: valid, holding nothing.
std::string zero_size_tensors(size_t count) {
  std::string header = "{";
  for (size_t i = 0; i < count; ++i) {
    if (i) header += ',';
    header += "\"t";
    header += std::to_string(i);
    header += R"(":{"dtype":"U8","shape":[0],"data_offsets":[0,0]})";
  }
  return header + "}";
}

std::string nested(const std::string& prefix, size_t depth) {
  return prefix + std::string(depth, '[') + std::string(depth, ']');
}

// A valid one-layer model's two files, for the manifest cases.
class HostileManifest : public ::testing::Test {
 protected:
  void SetUp() override {
    nn::Model model;
    model.input_shape = Shape{4};
    model.layers = {nn::linear("fc", 4, 2)};
    nn::allocate_parameters(model);
    ModelManifest manifest;
    manifest.name = "tiny";
    manifest.dataset = "mnist";
    manifest.input = {{4}, 1.0f / 255.0f, 0.0f, 1.0f};
    manifest.labels = {"a", "b"};
    manifest_ = json::parse(serialize_manifest(model, manifest));
    weights_ = serialize_safetensors({{}, model.parameters});
  }

  ModelManifest parse(const std::string& manifest_text) const {
    ModelManifest manifest;
    parse_model(bytes_of(manifest_text), weights_, manifest);
    return manifest;
  }

  json manifest_;
  std::vector<uint8_t> weights_;
};

TEST(HostileJson, ObjectOfManyObjectsIsReadWhole) {
  std::string text = "{";
  for (size_t i = 0; i < kManyObjects; ++i) {
    if (i) text += ',';
    text += "\"k";
    text += std::to_string(i);
    text += "\":{}";
  }
  text += "}";
  EXPECT_EQ(parse_json_strict(text, "test.json").size(), kManyObjects);
}

TEST(HostileJson, DuplicateKeysAreFoundAtAnyDepth) {
  EXPECT_ERROR(parse_json_strict(R"({"a": [{"b": 1, "c": {}, "b": 2}]})", "test.json"),
               "test.json repeats the key 'b'");
  EXPECT_EQ(parse_json_strict(R"({"a": {"b": 1}, "b": {"a": 2}})", "test.json").size(), 2u);
}

TEST(HostileJson, NumberOverflowIsInvalidJson) {
  EXPECT_ERROR(parse_json_strict("[1e999]", "test.json"),
               "test.json is not valid JSON: [json.exception.out_of_range.406] number overflow");
}

TEST(HostileJson, NestingIsLimited) {
  EXPECT_EQ(parse_json_strict(nested("", kMaxJsonDepth), "test.json").size(), 1u);
  EXPECT_ERROR(parse_json_strict(nested("", kMaxJsonDepth + 1), "test.json"),
               "test.json nests deeper than the limit of 64 levels");
  EXPECT_ERROR(parse_json_strict(std::string(100'000, '['), "test.json"),
               "test.json nests deeper than the limit of 64 levels");
  EXPECT_ERROR(parse_json_strict(nested(R"({"a": {"b": )", 100'000), "test.json"),
               "test.json a.b nests deeper than the limit of 64 levels");
}

TEST(HostileSafetensors, HeaderOf200000ZeroSizeTensorsIsRefusedBeforeParsing) {
  const std::vector<uint8_t> bytes = safetensors_with_header(zero_size_tensors(200'000));
  EXPECT_ERROR(parse_safetensors(bytes), "exceeds the limit of 4000000 bytes");
}

TEST(HostileSafetensors, TensorCountIsLimited) {
  EXPECT_EQ(parse_safetensors(safetensors_with_header(zero_size_tensors(kMaxSafetensorsTensors)))
                .tensors.size(),
            kMaxSafetensorsTensors);
  EXPECT_ERROR(
      parse_safetensors(safetensors_with_header(zero_size_tensors(kMaxSafetensorsTensors + 1))),
      "safetensors header lists 10001 tensors, more than the limit of 10000");
}

TEST(HostileSafetensors, DeepHeaderIsRefused) {
  EXPECT_ERROR(
      parse_safetensors(safetensors_with_header(nested(R"({"__metadata__": )", 100'000) + "}")),
      "safetensors header __metadata__ nests deeper than the limit of 64 levels");
}

TEST_F(HostileManifest, RecipeOfManyEmptyObjectsIsKeptVerbatim) {
  json recipe = json::object();
  for (size_t i = 0; i < kManyObjects; ++i) recipe[std::to_string(i)] = json::object();
  recipe["list"] = json::array();
  for (size_t i = 0; i < kManyObjects; ++i) recipe["list"].push_back(json::object());
  manifest_["recipe"] = std::move(recipe);
  EXPECT_EQ(parse(manifest_.dump()).recipe.size(), kManyObjects + 1);
}

TEST_F(HostileManifest, DeepRecipeIsRefused) {
  manifest_["recipe"] = {{"steps", nullptr}};
  std::string text = manifest_.dump();
  text.replace(text.find("null"), 4, std::string(100'000, '['));
  EXPECT_ERROR(parse(text), "manifest.json recipe.steps nests deeper than the limit of 64 levels");
}

TEST_F(HostileManifest, LayerCountIsLimited) {
  manifest_["architecture"]["layers"] = json::array();
  for (size_t i = 0; i <= kMaxLayers; ++i) {
    manifest_["architecture"]["layers"].push_back({{"kind", "relu"}, {"name", "r"}});
  }
  EXPECT_ERROR(parse(manifest_.dump()),
               "manifest.json architecture layers lists 1001 layers, more than the limit of 1000");
}

// Shapes whose element count overflows a 32-bit size_t (wasm) but not a 64-bit one: every
// expectation below holds in both builds, so the wasm run of this binary checks the 32-bit case.
TEST_F(HostileManifest, ShapesBeyondTheElementLimitNameTheField) {
  manifest_["input"]["shape"] = {1'000'000'000};
  EXPECT_ERROR(parse(manifest_.dump()),
               "manifest.json input shape [1000000000] exceeds the limit of 268435456 elements");
  manifest_["input"]["shape"] = {4};
  json& fc = manifest_["architecture"]["layers"][0];
  fc["out_features"] = 1'000'000'000;
  fc["output_shape"] = {1'000'000'000};
  EXPECT_ERROR(parse(manifest_.dump()),
               "manifest.json architecture layer 0 'fc' output_shape [1000000000] exceeds the "
               "limit of 268435456 elements");
}

TEST_F(HostileManifest, WeightsBeyondTheElementLimitNameTheLayer) {
  // conv 65536 -> 65536 channels of 1x1: the weight holds 2^32 elements, the output 2^16.
  manifest_["input"]["shape"] = {65536, 1, 1};
  json conv = {{"kind", "conv2d"},     {"name", "conv"},
               {"in_channels", 65536}, {"out_channels", 65536},
               {"kernel", 1},          {"stride", 1},
               {"padding", 0},         {"output_shape", {65536, 1, 1}}};
  conv["parameters"] = {{"conv.weight", {65536, 65536, 1, 1}}, {"conv.bias", {65536}}};
  manifest_["architecture"]["layers"] = json::array({conv});
  EXPECT_ERROR(parse(manifest_.dump()),
               "manifest.json architecture layer 0 'conv' parameter 'conv.weight' [65536, 65536, "
               "1, 1] exceeds the limit of 268435456 elements");
  manifest_["architecture"]["layers"][0]["parameters"]["conv.weight"] = {1};
  EXPECT_ERROR(parse(manifest_.dump()), "manifest.json architecture layer 0 'conv'");
}

// rows × cols from a caller (JS numbers) are limited before they are multiplied: in the wasm
// build's 32-bit size_t, 70,000² and (2^32 + 28) × 28 would wrap to small, plausible counts.
TEST(HostileImages, RowsTimesColsBeyondTheLimitAreNamed) {
  InputSpec input;
  input.shape = {784};
  input.image_shape = {28, 28};
  const std::vector<uint8_t> one_image(784, 255);
  EXPECT_ERROR(pixels_to_network_input(one_image, {70'000, 70'000}, input),
               "images' {rows, cols} [70000, 70000] exceeds the limit of 268435456 elements");
  EXPECT_ERROR(pixels_to_network_input(one_image, {(uint64_t{1} << 32) + 28, 28}, input),
               "images' {rows, cols} [4294967324, 28] exceeds the limit of 268435456 elements");
  EXPECT_ERROR(pixels_to_network_input(one_image, {14, 56}, input),
               "images of 14x56 pixels do not fit the model input [784] of 28x28 images");
  EXPECT_ERROR(pixels_to_network_input(one_image, {0, 28}, input),
               "images hold 784 bytes, not a whole number of 0-pixel images");
  EXPECT_ERROR(pixels_to_network_input(one_image, {28}, input),
               "images' size must be {rows, cols}, got 1 numbers");
  const Tensor batch = pixels_to_network_input(one_image, {28, 28}, input);
  EXPECT_EQ(batch.shape(), Shape({1, 784}));
  EXPECT_EQ(pixels_to_network_input(one_image, {}, input).shape(), Shape({1, 784}));
}

}  // namespace
}  // namespace quantlab
