// Writes the seed corpus of every fuzz target (tests/fuzz/<target>/), deterministically: a few
// valid files made by the engine's own writers, and hostile variants of them, truncated,
// oversized, type-confused and deeply nested. Run by `bash scripts/fuzz.sh --seeds`; the files
// are committed, and regression inputs from findings sit beside them (named finding-*).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "quantlab/io.h"
#include "quantlab/quantize.h"
#include "small_model.h"

namespace {

using namespace quantlab;
using nlohmann::ordered_json;
using Bytes = std::vector<uint8_t>;
namespace fs = std::filesystem;

fs::path corpus_root;

Bytes bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

void write(const std::string& target, const std::string& name, const Bytes& bytes) {
  const fs::path dir = corpus_root / target;
  fs::create_directories(dir);
  write_file_bytes((dir / name).string(), bytes);
}
void write(const std::string& target, const std::string& name, const std::string& text) {
  write(target, name, bytes_of(text));
}

Bytes first_half(const Bytes& bytes) { return {bytes.begin(), bytes.begin() + bytes.size() / 2}; }

// `depth` arrays inside each other: past the parser's nesting limit.
std::string nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// A model's two files as one fuzz input: manifest, NUL, weights (fuzz_input.h).
Bytes model_input(const std::string& manifest, const Bytes& weights) {
  Bytes input = bytes_of(manifest);
  input.push_back(0);
  input.insert(input.end(), weights.begin(), weights.end());
  return input;
}

void safetensors_seeds() {
  TensorFile file;
  file.metadata["format"] = "pt";
  file.tensors.emplace("a", Tensor::from_f32(Shape{2, 3}, std::vector<float>{1, 2, 3, 4, 5, 6}));
  file.tensors.emplace("b", Tensor(DType::i8, Shape{4}));
  file.tensors.emplace("empty", Tensor(DType::u8, Shape{0}));
  const Bytes valid = serialize_safetensors(file);
  write("safetensors", "valid", valid);
  write("safetensors", "truncated", first_half(valid));
  Bytes oversized = valid;  // header length 2^63
  std::memset(oversized.data(), 0, 8);
  oversized[7] = 0x80;
  write("safetensors", "oversized-header-length", oversized);
  const auto with_header = [](const std::string& header) {
    std::string padded = header + std::string((8 - header.size() % 8) % 8, ' ');
    Bytes bytes(8);
    for (size_t i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(padded.size() >> (8 * i));
    bytes.insert(bytes.end(), padded.begin(), padded.end());
    bytes.resize(bytes.size() + 24);
    return bytes;
  };
  write("safetensors", "type-confused",
        with_header(R"({"a":{"dtype":"F32","shape":"2x3","data_offsets":["0",24]}})"));
  write("safetensors", "oversized-shape",
        with_header(R"({"a":{"dtype":"F32","shape":[65536,65536,65536],"data_offsets":[0,24]}})"));
  write("safetensors", "overlapping-offsets",
        with_header(R"({"a":{"dtype":"U8","shape":[16],"data_offsets":[0,16]},)"
                    R"("b":{"dtype":"U8","shape":[16],"data_offsets":[8,24]}})"));
  write("safetensors", "deeply-nested", with_header(R"({"__metadata__":)" + nested(1000) + "}"));
}

// The small model's files, and the same quantized by `plan`.
struct ModelFiles {
  std::string manifest;
  Bytes weights;
};
ModelManifest small_manifest() {
  ModelManifest manifest;
  manifest.name = "fuzz-small";
  manifest.dataset = "mnist";
  manifest.input.shape = {1, 8, 8};
  for (int label = 0; label < 10; ++label) manifest.labels.push_back(std::to_string(label));
  return manifest;
}
ModelFiles model_files() {
  const nn::Model model = fuzz::small_model();
  return {serialize_manifest(model, small_manifest()),
          serialize_safetensors({{}, model.parameters})};
}
ModelFiles quantized_files(const std::string& plan_name) {
  const nn::Model model = fuzz::small_model();
  const quantization::Plan plan = quantization::preset(plan_name);
  Tensor calibration(DType::f32, Shape{16, 1, 8, 8});
  fuzz::fill(calibration, 7);
  const quantization::QuantizedModel quantized = quantization::quantize_model(
      model, plan, quantization::calibrate(model, plan, calibration, {}));
  return {serialize_quantized_manifest(quantized, small_manifest()),
          serialize_quantized_weights(quantized)};
}

// Hostile variants of a model's files: the manifest cut short, fields of the wrong type, a
// shape past the element limit, a value nested past the depth limit, the weights cut short.
void model_seeds(const std::string& target, const ModelFiles& files) {
  write(target, "valid", model_input(files.manifest, files.weights));
  write(target, "truncated-manifest",
        model_input(files.manifest.substr(0, files.manifest.size() / 2), files.weights));
  write(target, "truncated-weights", model_input(files.manifest, first_half(files.weights)));
  const ordered_json manifest = ordered_json::parse(files.manifest);
  const auto variant = [&](const std::string& name, auto&& change) {
    ordered_json changed = manifest;
    change(changed);
    write(target, name, model_input(changed.dump(), files.weights));
  };
  variant("type-confused-input", [](ordered_json& m) { m["input"]["shape"] = "1x8x8"; });
  variant("type-confused-layer",
          [](ordered_json& m) { m["architecture"]["layers"][0]["in_channels"] = "1"; });
  variant("oversized-input", [](ordered_json& m) { m["input"]["shape"] = {1, 65536, 65536}; });
  variant("oversized-layer", [](ordered_json& m) {
    m["architecture"]["layers"].back()["out_features"] = 1'000'000'000;
  });
  variant("deeply-nested", [](ordered_json& m) { m["recipe"] = ordered_json::parse(nested(60)); });
  write(target, "nested-past-the-limit",
        model_input(R"({"format":"quantlab-model","recipe":)" + nested(1000) + "}", files.weights));
}

void quantized_seeds() {
  for (const std::string plan : {"w4a8", "int4-tensor"}) {
    const ModelFiles files = quantized_files(plan);
    write("quantized_model", "valid-" + plan, model_input(files.manifest, files.weights));
  }
  const ModelFiles files = quantized_files("int8");
  model_seeds("quantized_model", files);
  ordered_json manifest = ordered_json::parse(files.manifest);
  manifest["quantization"]["plan"]["default"]["weights"] = 8;
  write("quantized_model", "type-confused-plan", model_input(manifest.dump(), files.weights));
}

// Plans: every preset, per-layer overrides of the small model (GPTQ and bias correction
// included), and hostile ones.
void plan_seeds(const std::string& target) {
  for (const std::string& name : quantization::preset_names()) {
    write(target, name, plan_to_json(quantization::preset(name)).dump(2));
  }
  const std::string mixed = R"({"format": "quantlab-plan", "version": 1, "name": "mixed",
  "default": {"weights": "int4", "granularity": "per_group", "group_size": 8, "symmetric": false,
              "activations": "int8-dynamic", "weight_range": "mse"},
  "layers": {"conv1": {"weights": "fp32", "activations": "fp32"},
             "conv2": {"weights": "int8", "granularity": "per_channel", "symmetric": true,
                       "activations": "int8-static", "bias_correction": true},
             "fc": {"method": "gptq", "gptq_act_order": true, "gptq_damp": 0.1}}})";
  write(target, "mixed", mixed);
  write(target, "truncated", mixed.substr(0, mixed.size() / 2));
  write(
      target, "type-confused",
      R"({"format": "quantlab-plan", "version": "1", "default": {"weights": 4, "group_size": "32"}})");
  write(target, "oversized-group",
        R"({"default": {"weights": "int4", "granularity": "per_group", "group_size": 1e300}})");
  write(target, "unknown-layer", R"({"layers": {"fc9": {"weights": "int8"}}})");
  write(target, "deeply-nested", R"({"default": )" + nested(1000) + "}");
}

void idx_seeds() {
  Tensor images(DType::u8, Shape{3, 4, 4});
  for (size_t i = 0; i < images.element_count(); ++i) images.values<uint8_t>()[i] = i * 16;
  const Bytes valid_images = serialize_idx_images(images);
  Tensor labels(DType::u8, Shape{5});
  for (size_t i = 0; i < 5; ++i) labels.values<uint8_t>()[i] = i;
  const Bytes valid_labels = serialize_idx_labels(labels);
  write("idx", "valid-images", valid_images);
  write("idx", "valid-labels", valid_labels);
  write("idx", "truncated-images", first_half(valid_images));
  Bytes oversized = valid_images;  // every dim 2^32 - 1
  std::fill(oversized.begin() + 4, oversized.begin() + 16, 0xff);
  write("idx", "oversized-dims", oversized);
  Bytes confused = valid_images;  // an images file that says it holds rank-1 labels
  confused[3] = 0x01;
  write("idx", "type-confused-rank", confused);
  Bytes bad_label = valid_labels;
  bad_label.back() = 200;
  write("idx", "label-out-of-range", bad_label);
}

// FuzzedDataProvider reads the image size from the input's end and pixels from its front.
void user_image_seeds() {
  write("user_images", "zeros", Bytes(64, 0));
  write("user_images", "ones", Bytes(64, 0xff));
  Bytes ramp(200);
  for (size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<uint8_t>(i * 37);
  write("user_images", "ramp", ramp);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <tests/fuzz directory>\n", argv[0]);
    return 2;
  }
  corpus_root = argv[1];
  safetensors_seeds();
  model_seeds("manifest", model_files());
  quantized_seeds();
  plan_seeds("plan");
  plan_seeds("quantize_run");
  idx_seeds();
  user_image_seeds();
  return 0;
}
