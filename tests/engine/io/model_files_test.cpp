// Model directory (manifest.json + model.safetensors): exact round trip, identical outputs, and a
// clear error for every way the two files can disagree or be damaged.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "io/expect_error.h"
#include "quantlab/io.h"
#include "quantlab/nn.h"

namespace quantlab {
namespace {

using nlohmann::json;

nn::Model tiny_cnn() {
  nn::Model model;
  model.input_shape = Shape{1, 6, 6};
  model.layers = {nn::conv2d("conv", 1, 2, 3, 1, 1), nn::relu("relu"), nn::maxpool2d("pool", 2, 2),
                  nn::flatten("flat"), nn::linear("fc", 18, 3)};
  nn::allocate_parameters(model);
  float phase = 0.0f;
  for (auto& [name, tensor] : model.parameters) {
    for (float& value : tensor.values<float>()) value = std::sin(phase += 0.7f) * 0.5f;
  }
  return model;
}

ModelManifest tiny_manifest() {
  ModelManifest manifest;
  manifest.name = "tiny-cnn";
  manifest.dataset = "mnist";
  manifest.input = {{1, 6, 6}, 1.0f / 255.0f, 0.1307f, 0.3081f};
  manifest.labels = {"a", "b", "c"};
  manifest.recipe = {{"optimizer", "adam"}, {"epochs", 1}, {"seed", 7}};
  manifest.metrics = {{"test_accuracy", 0.5}, {"test_correct", 1}, {"test_count", 2}};
  return manifest;
}

std::span<const uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

class ModelFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    manifest_text_ = serialize_manifest(model_, tiny_manifest());
    manifest_ = json::parse(manifest_text_);
    weights_ = {{}, model_.parameters};
  }

  // parse_model on the (possibly altered) manifest_ and weights_.
  nn::Model parse() const {
    ModelManifest manifest;
    return parse_model(bytes_of(manifest_.dump()), serialize_safetensors(weights_), manifest);
  }

  json& layer(size_t index) { return manifest_["architecture"]["layers"][index]; }

  nn::Model model_ = tiny_cnn();
  std::string manifest_text_;
  json manifest_;
  TensorFile weights_;
};

Tensor sample_batch() {
  Tensor images(DType::u8, Shape{4, 6, 6});
  std::span<uint8_t> pixels = images.values<uint8_t>();
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 29 % 256);
  return to_network_input(images, tiny_manifest().input);
}

TEST_F(ModelFiles, SaveLoadSaveGivesIdenticalBytesAndOutputs) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "quantlab-io-test";
  std::filesystem::create_directories(dir / "again");
  save_model(dir.string(), model_, tiny_manifest());
  ModelManifest manifest;
  const nn::Model loaded = load_model(dir.string(), manifest);
  EXPECT_EQ(manifest.name, "tiny-cnn");
  EXPECT_EQ(manifest.recipe, tiny_manifest().recipe);
  EXPECT_EQ(manifest.metrics, tiny_manifest().metrics);
  EXPECT_EQ(manifest.input.mean, 0.1307f);
  EXPECT_EQ(loaded.layers, model_.layers);
  save_model((dir / "again").string(), loaded, manifest);
  for (const char* file : {kManifestFileName, kWeightsFileName}) {
    EXPECT_EQ(read_file_bytes((dir / file).string()),
              read_file_bytes((dir / "again" / file).string()))
        << file;
  }

  const Tensor input = sample_batch();
  const Tensor expected = nn::Executor(model_).run(input).output;
  const Tensor actual = nn::Executor(loaded).run(input).output;
  ASSERT_EQ(actual.shape(), expected.shape());
  EXPECT_EQ(std::memcmp(actual.bytes(), expected.bytes(), expected.byte_size()), 0);
  std::filesystem::remove_all(dir);
}

TEST_F(ModelFiles, ManifestListsEveryShape) {
  EXPECT_EQ(layer(0)["parameters"]["conv.weight"], json({2, 1, 3, 3}));
  EXPECT_EQ(layer(0)["output_shape"], json({2, 6, 6}));
  EXPECT_EQ(layer(4)["kind"], "linear");
  EXPECT_EQ(layer(4)["in_features"], 18);
  EXPECT_EQ(manifest_text_.find("\"format\""), manifest_text_.find('"')) << "format comes first";
}

TEST_F(ModelFiles, WeightsMustMatchTheArchitecture) {
  weights_.tensors.erase("fc.bias");
  EXPECT_ERROR(parse(),
               "model.safetensors does not match manifest.json: model has no parameter 'fc.bias'");
  weights_.tensors.emplace("fc.bias", Tensor(DType::i32, Shape{3}));
  EXPECT_ERROR(parse(), "parameter 'fc.bias' has dtype i32, expected f32");
  weights_.tensors.erase("fc.bias");
  weights_.tensors.emplace("fc.bias", Tensor(DType::f32, Shape{4}));
  EXPECT_ERROR(parse(), "parameter 'fc.bias' has shape [4], expected [3]");
  weights_.tensors.erase("fc.bias");
  weights_.tensors.emplace("fc.bias", Tensor(DType::f32, Shape{3}));
  weights_.tensors.emplace("fc.scale", Tensor(DType::f32, Shape{3}));
  EXPECT_ERROR(parse(), "parameter 'fc.scale' belongs to no layer");
}

TEST_F(ModelFiles, ArchitectureProblemsNameTheLayer) {
  layer(4)["output_shape"] = {4};
  EXPECT_ERROR(
      parse(),
      "manifest.json architecture layer 4 'fc' states output_shape [4] but its input gives [3]");
  layer(4)["output_shape"] = {3};
  layer(0)["parameters"]["conv.weight"] = {2, 1, 5, 5};
  EXPECT_ERROR(parse(),
               "layer 0 'conv' parameter 'conv.weight' states shape [2, 1, 5, 5], the layer needs "
               "[2, 1, 3, 3]");
  layer(0)["parameters"]["conv.weight"] = {2, 1, 3, 3};
  layer(4)["in_features"] = 20;
  EXPECT_ERROR(parse(), "manifest.json architecture: ");
  layer(4)["in_features"] = 18;
  layer(1)["kind"] = "lstm";
  EXPECT_ERROR(parse(), "manifest.json architecture layer 1 'relu': unknown layer kind 'lstm'");
  layer(1)["kind"] = "relu";
  layer(3)["kernel"] = 2;
  EXPECT_ERROR(parse(), "manifest.json architecture layer 3 'flat' has an unknown field 'kernel'");
  layer(3).erase("kernel");
  layer(2).erase("stride");
  EXPECT_ERROR(parse(), "manifest.json architecture layer 2 'pool' has no 'stride'");
}

TEST_F(ModelFiles, ManifestFieldProblemsAreNamed) {
  manifest_["labels"] = {"a", "b"};
  EXPECT_ERROR(parse(), "manifest.json lists 2 labels but the network outputs 3 classes");
  manifest_["labels"] = {"a", "b", "c"};
  manifest_["input"]["std"] = 0;
  EXPECT_ERROR(parse(), "manifest.json input std must be positive and finite");
  manifest_["input"]["std"] = 1;
  manifest_["input"]["shape"] = {36};
  EXPECT_ERROR(parse(), "manifest.json architecture: ");
  manifest_["input"]["shape"] = {1, 6, 6};
  manifest_["version"] = 2;
  EXPECT_ERROR(parse(), "manifest.json version 2 is not supported (this QuantLab reads version 1)");
  manifest_["version"] = 1;
  manifest_["format"] = "onnx";
  EXPECT_ERROR(parse(), "manifest.json format is 'onnx', expected 'quantlab-model'");
  manifest_["format"] = "quantlab-model";
  manifest_["accuracy"] = 0.99;
  EXPECT_ERROR(parse(), "manifest.json has an unknown field 'accuracy'");
  manifest_.erase("accuracy");
  manifest_["metrics"]["test_accuracy"] = "high";
  EXPECT_ERROR(parse(), "manifest.json metrics 'test_accuracy' must be a number, got \"high\"");
  manifest_["metrics"]["test_accuracy"] = 0.5;
  manifest_.erase("recipe");
  EXPECT_ERROR(parse(), "manifest.json has no 'recipe'");
}

TEST_F(ModelFiles, DuplicateKeysAndBrokenJsonAreRejected) {
  ModelManifest manifest;
  const std::vector<uint8_t> weights = serialize_safetensors(weights_);
  std::string duplicated = manifest_text_;
  duplicated.insert(1, "\"name\": \"other\",");
  EXPECT_ERROR(parse_model(bytes_of(duplicated), weights, manifest),
               "manifest.json repeats the key 'name'");
  for (size_t size = 0; size + 1 < manifest_text_.size(); size += 7) {
    EXPECT_ERROR(parse_model(bytes_of(manifest_text_.substr(0, size)), weights, manifest),
                 "manifest.json is not valid JSON")
        << "manifest truncated to " << size << " bytes";
  }
}

TEST_F(ModelFiles, DamagedWeightsNameTheFile) {
  ModelManifest manifest;
  const std::vector<uint8_t> weights = serialize_safetensors(weights_);
  for (size_t size = 0; size < weights.size(); size += 13) {
    EXPECT_ERROR(parse_model(bytes_of(manifest_text_), std::span(weights.data(), size), manifest),
                 "model.safetensors: ")
        << "weights truncated to " << size << " bytes";
  }
}

TEST_F(ModelFiles, NonFiniteWeightsNameTheTensor) {
  for (const float bad : {std::nanf(""), INFINITY, -INFINITY}) {
    TensorFile damaged = weights_;
    damaged.tensors.at("fc.bias").values<float>()[2] = bad;
    ModelManifest manifest;
    EXPECT_ERROR(parse_model(bytes_of(manifest_text_), serialize_safetensors(damaged), manifest),
                 "model.safetensors: tensor 'fc.bias' holds a non-finite value")
        << "value " << bad;
  }
}

TEST_F(ModelFiles, MissingDirectoryIsNamed) {
  ModelManifest manifest;
  EXPECT_ERROR(load_model("/nonexistent/model", manifest),
               "cannot open /nonexistent/model/manifest.json");
}

// Random byte mutations of either file: a result or InvalidArgument, never a crash.
TEST_F(ModelFiles, RandomMutationsNeverCrash) {
  const std::vector<uint8_t> weights = serialize_safetensors(weights_);
  std::mt19937 random(4);
  int rejected = 0;
  for (int round = 0; round < 300; ++round) {
    std::string text = manifest_text_;
    std::vector<uint8_t> bytes = weights;
    for (int edit = 0; edit < 3; ++edit) {
      if (random() % 2) {
        text[random() % text.size()] = static_cast<char>(random());
      } else {
        bytes[random() % bytes.size()] = static_cast<uint8_t>(random());
      }
    }
    ModelManifest manifest;
    try {
      parse_model(bytes_of(text), bytes, manifest);
    } catch (const InvalidArgument&) {
      ++rejected;
    }
  }
  // Any other exception or a crash fails the test; and the mutations must reach the checks.
  EXPECT_GT(rejected, 0);
}

TEST_F(ModelFiles, ImageShapeIsCheckedAgainstTheInputShape) {
  manifest_["input"]["image_shape"] = {6, 6};
  EXPECT_ERROR(parse(),
               "manifest.json input image_shape is only for a flat input; shape [1, 6, 6] "
               "already has rows and cols");
  nn::Model flat;
  flat.input_shape = Shape{36};
  flat.layers = {nn::linear("fc", 36, 3)};
  nn::allocate_parameters(flat);
  ModelManifest manifest = tiny_manifest();
  manifest.input.shape = {36};
  manifest.input.image_shape = {6, 6};
  const std::string text = serialize_manifest(flat, manifest);
  EXPECT_NE(text.find("\"shape\": [\n      36\n    ],\n    \"image_shape\": [\n      6,"),
            std::string::npos)
      << text;
  const std::vector<uint8_t> weights = serialize_safetensors({{}, flat.parameters});
  ModelManifest loaded;
  parse_model(bytes_of(text), weights, loaded);
  EXPECT_EQ(loaded.input.image_shape, (std::vector<size_t>{6, 6}));
  for (const auto& [image_shape, error] : std::vector<std::pair<json, std::string>>{
           {{4, 8},
            "manifest.json input image_shape [4, 8] holds 32 pixels but shape [36] needs 36"},
           {{36}, "manifest.json input image_shape must be [rows, cols], got [36]"},
           {"6x6", "manifest.json input image_shape must be a list of dims, got \"6x6\""}}) {
    json edited = json::parse(text);
    edited["input"]["image_shape"] = image_shape;
    EXPECT_ERROR(parse_model(bytes_of(edited.dump()), weights, loaded), error);
  }
}

TEST(NetworkInput, FlatInputsCheckTheImageShapeTheyState) {
  InputSpec mlp{{784}};
  EXPECT_EQ(to_network_input(Tensor(DType::u8, Shape{2, 14, 56}), mlp).shape(), (Shape{2, 784}));
  mlp.image_shape = {28, 28};
  EXPECT_ERROR(to_network_input(Tensor(DType::u8, Shape{2, 14, 56}), mlp),
               "images of 14x56 pixels do not fit the model input [784] of 28x28 images");
  EXPECT_EQ(to_network_input(Tensor(DType::u8, Shape{2, 28, 28}), mlp).shape(), (Shape{2, 784}));
  // Flattened images carry no rows and cols: only their pixel count can be checked.
  EXPECT_EQ(to_network_input(Tensor(DType::u8, Shape{2, 784}), mlp).shape(), (Shape{2, 784}));
}

TEST(NetworkInput, AppliesTheManifestNormalization) {
  Tensor images(DType::u8, Shape{2, 2, 2});
  const uint8_t pixels[] = {0, 255, 51, 102, 0, 0, 0, 255};
  std::memcpy(images.bytes(), pixels, sizeof pixels);
  const InputSpec input{{4}, 1.0f / 255.0f, 0.5f, 0.25f};
  const Tensor batch = to_network_input(images, input);
  EXPECT_EQ(batch.shape(), (Shape{2, 4}));
  EXPECT_FLOAT_EQ(batch.values<float>()[0], -2.0f);
  EXPECT_FLOAT_EQ(batch.values<float>()[1], 2.0f);
  EXPECT_FLOAT_EQ(batch.values<float>()[2], (0.2f - 0.5f) / 0.25f);
  EXPECT_ERROR(to_network_input(images, InputSpec{{1, 3, 3}}),
               "images of 4 pixels do not fit the model input [1, 3, 3]");
  EXPECT_ERROR(to_network_input(images, InputSpec{{1, 1, 4}}),
               "images of 2x2 pixels do not fit the model input [1, 1, 4] of 1x4 images");
}

}  // namespace
}  // namespace quantlab
