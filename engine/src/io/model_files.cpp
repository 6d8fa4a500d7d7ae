#include <algorithm>
#include <cmath>
#include <string_view>

#include "io/manifest.h"
#include "io/strict_json.h"
#include "quantlab/error.h"
#include "quantlab/io.h"
#include "quantlab/nn.h"

namespace quantlab {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr const char* kFormat = "quantlab-model";
constexpr uint64_t kVersion = 1;

float positive_finite(const json& object, const std::string& key, const std::string& where) {
  const double value = as_number(field(object, key, where), where + " " + key);
  require(std::isfinite(value) && value > 0, where + " " + key + " must be positive and finite");
  return static_cast<float>(value);
}

std::string size_text(size_t rows, size_t cols) {
  return std::to_string(rows) + "x" + std::to_string(cols);
}

// A flat input may say which images it is made of; an input of rank 2 or more has them in shape.
void check_image_shape(const InputSpec& input, const std::string& where) {
  if (input.image_shape.empty()) return;
  const Shape shape(input.shape);
  require(input.image_shape.size() == 2,
          where + " image_shape must be [rows, cols], got " + Shape(input.image_shape).to_string());
  require(shape.rank() == 1, where + " image_shape is only for a flat input; shape " +
                                 shape.to_string() + " already has rows and cols");
  const size_t pixels = Shape(input.image_shape).element_count();
  require(pixels == shape.element_count(),
          where + " image_shape " + Shape(input.image_shape).to_string() + " holds " +
              std::to_string(pixels) + " pixels but shape " + shape.to_string() + " needs " +
              std::to_string(shape.element_count()));
}

InputSpec input_from_json(const json& value) {
  const std::string where = kManifest + " input";
  require_only_fields(value, {"shape", "image_shape", "pixel_scale", "mean", "std"}, where);
  InputSpec input;
  input.shape = as_dims(field(value, "shape", where), where + " shape");
  if (value.contains("image_shape")) {
    input.image_shape = as_dims(value["image_shape"], where + " image_shape");
    check_image_shape(input, where);
  }
  input.pixel_scale = positive_finite(value, "pixel_scale", where);
  const double mean = as_number(field(value, "mean", where), where + " mean");
  require(std::isfinite(mean), where + " mean must be finite");
  input.mean = static_cast<float>(mean);
  input.std = positive_finite(value, "std", where);
  return input;
}

std::vector<std::string> labels_from_json(const json& value) {
  const std::string where = kManifest + " labels";
  require(value.is_array(), where + " must be a list of class names");
  std::vector<std::string> labels;
  for (const json& label : value) labels.push_back(as_string(label, where + " entry"));
  return labels;
}

// The class count the manifest names must be what the network outputs.
void check_labels(const nn::Model& model, const ModelManifest& manifest) {
  const std::vector<Shape> outputs = nn::layer_output_shapes(model);
  const size_t classes = outputs.back().element_count();
  require(manifest.labels.size() == classes,
          kManifest + " lists " + std::to_string(manifest.labels.size()) +
              " labels but the network outputs " + std::to_string(classes) + " classes");
}

}  // namespace

std::map<std::string, double> metrics_from_json(const json& value, const std::string& where) {
  require(value.is_object(), where + " must be an object of numbers");
  std::map<std::string, double> metrics;
  for (const auto& [name, number] : value.items()) {
    metrics.emplace(name, as_number(number, where + " '" + name + "'"));
  }
  return metrics;
}

// Weights are untrusted input too: a NaN or Inf poisons every output downstream, or hides
// silently behind a ReLU (NaN > 0 is false), so a model file carrying one is refused.
void require_finite_parameters(const nn::Model& model) {
  require_finite_parameters(model.parameters);
}

void require_finite_parameters(const std::map<std::string, Tensor>& parameters) {
  for (const auto& [name, tensor] : parameters) {
    const std::span<const float> values = tensor.values<float>();
    const auto bad =
        std::find_if(values.begin(), values.end(), [](float v) { return !std::isfinite(v); });
    if (bad != values.end()) {
      throw InvalidArgument(std::string(kWeightsFileName) + ": tensor '" + name +
                            "' holds a non-finite value (" + std::to_string(*bad) +
                            ") at element " + std::to_string(bad - values.begin()));
    }
  }
}

ordered_json manifest_document(const nn::Model& model, const ModelManifest& manifest) {
  require(Shape(manifest.input.shape) == model.input_shape,
          "manifest input shape " + Shape(manifest.input.shape).to_string() +
              " differs from the model's input shape " + model.input_shape.to_string());
  check_labels(model, manifest);
  check_image_shape(manifest.input, "manifest input");
  ordered_json input = {{"shape", manifest.input.shape}};
  if (!manifest.input.image_shape.empty()) input["image_shape"] = manifest.input.image_shape;
  input["pixel_scale"] = shortest_double(manifest.input.pixel_scale);
  input["mean"] = shortest_double(manifest.input.mean);
  input["std"] = shortest_double(manifest.input.std);
  return {
      {"format", kFormat},
      {"version", kVersion},
      {"name", manifest.name},
      {"dataset", manifest.dataset},
      {"input", std::move(input)},
      {"labels", manifest.labels},
      {"architecture", architecture_to_json(model)},
      {"recipe", manifest.recipe},
      {"metrics", manifest.metrics},
  };
}

std::string serialize_manifest(const nn::Model& model, const ModelManifest& manifest) {
  return manifest_document(model, manifest).dump(2) + "\n";
}

void save_model(const std::string& dir, const nn::Model& model, const ModelManifest& manifest) {
  nn::validate_model(model);
  const std::string text = serialize_manifest(model, manifest);
  const std::vector<uint8_t> weights = serialize_safetensors({{}, model.parameters});
  write_file_bytes(dir + "/" + kWeightsFileName, weights);
  write_file_bytes(dir + "/" + kManifestFileName,
                   {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

void require_format_version(const json& document, const std::string& format, uint64_t version) {
  const std::string found = as_string(field(document, "format", kManifest), kManifest + " format");
  require(found == format, kManifest + " format is '" + found + "', expected '" + format + "'");
  const uint64_t read = as_size(field(document, "version", kManifest), kManifest + " version");
  require(read == version, kManifest + " version " + std::to_string(read) +
                               " is not supported (this QuantLab reads version " +
                               std::to_string(version) + ")");
}

ModelManifest manifest_from_document(const json& document,
                                     std::initializer_list<std::string_view> extra_fields,
                                     nn::Model& model) {
  std::vector<std::string> allowed = {"format", "version",      "name",   "dataset", "input",
                                      "labels", "architecture", "recipe", "metrics"};
  allowed.insert(allowed.end(), extra_fields.begin(), extra_fields.end());
  require_only_fields(document, allowed, kManifest);
  require_format_version(document, kFormat, kVersion);
  ModelManifest parsed;
  parsed.name = as_string(field(document, "name", kManifest), kManifest + " name");
  parsed.dataset = as_string(field(document, "dataset", kManifest), kManifest + " dataset");
  parsed.input = input_from_json(field(document, "input", kManifest));
  parsed.labels = labels_from_json(field(document, "labels", kManifest));
  parsed.recipe = field(document, "recipe", kManifest);
  require(parsed.recipe.is_object(), kManifest + " recipe must be a JSON object");
  parsed.metrics = metrics_from_json(field(document, "metrics", kManifest), kManifest + " metrics");
  architecture_from_json(field(document, "architecture", kManifest), parsed.input.shape, model);
  check_labels(model, parsed);
  return parsed;
}

nn::Model parse_model(std::span<const uint8_t> manifest_json, std::span<const uint8_t> weights,
                      ModelManifest& manifest) {
  const json document = parse_json_strict(
      {reinterpret_cast<const char*>(manifest_json.data()), manifest_json.size()}, kManifest);
  nn::Model model;
  ModelManifest parsed = manifest_from_document(document, {}, model);
  read_parameters(weights, model, nn::validate_model);
  manifest = std::move(parsed);
  return model;
}

nn::Model load_model(const std::string& dir, ModelManifest& manifest) {
  return parse_model_directory(dir, [&](const auto& manifest_json, const auto& weights) {
    return parse_model(manifest_json, weights, manifest);
  });
}

Tensor to_network_input(const Tensor& images, const InputSpec& input) {
  const Shape sample(input.shape);
  require(images.dtype() == DType::u8 && images.shape().rank() >= 1,
          "network input needs u8 images [count, ...], got " +
              std::string(dtype_name(images.dtype())) + " " + images.shape().to_string());
  const size_t count = images.shape()[0];
  const size_t pixels = count == 0 ? 0 : images.element_count() / count;
  require(count == 0 || pixels == sample.element_count(),
          "images of " + std::to_string(pixels) + " pixels do not fit the model input " +
              sample.to_string());
  // The f32 batch takes 4 bytes per pixel: bounded so that its size fits a 32-bit size_t too.
  require(images.element_count() <= kMaxTensorElements,
          std::to_string(count) + " images of " + std::to_string(pixels) +
              " pixels exceed the network input limit of " + std::to_string(kMaxTensorElements) +
              " elements");
  // Equal pixel counts would still let 14×56 images into a 28×28 model: where both the images
  // and the model have rows and columns, those must agree too.
  const std::vector<size_t>& image_dims = images.shape().dims();
  const std::vector<size_t> model_image =
      input.shape.size() >= 2 ? std::vector<size_t>(input.shape.end() - 2, input.shape.end())
                              : input.image_shape;
  if (image_dims.size() >= 3 && model_image.size() == 2) {
    const size_t rows = image_dims[image_dims.size() - 2];
    const size_t cols = image_dims.back();
    require(rows == model_image[0] && cols == model_image[1],
            "images of " + size_text(rows, cols) + " pixels do not fit the model input " +
                sample.to_string() + " of " + size_text(model_image[0], model_image[1]) +
                " images");
  }
  std::vector<size_t> dims = {count};
  dims.insert(dims.end(), input.shape.begin(), input.shape.end());
  Tensor batch(DType::f32, Shape(std::move(dims)));
  const std::span<const uint8_t> from = images.values<uint8_t>();
  const std::span<float> to = batch.values<float>();
  for (size_t i = 0; i < from.size(); ++i) {
    to[i] = (static_cast<float>(from[i]) * input.pixel_scale - input.mean) / input.std;
  }
  return batch;
}

}  // namespace quantlab
