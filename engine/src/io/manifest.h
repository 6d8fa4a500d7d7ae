// The manifest.json document shared by FP32 model files and quantized model files
// (quantized_model_files.cpp adds its "quantization" field to the same document).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "quantlab/error.h"
#include "quantlab/io.h"
#include "quantlab/nn.h"

namespace quantlab {

nlohmann::ordered_json manifest_document(const nn::Model& model, const ModelManifest& manifest);

// Reads every manifest field but the parameters: fills model's input shape and layers from the
// architecture and returns the rest. `extra_fields` are fields the caller reads itself.
ModelManifest manifest_from_document(const nlohmann::json& document,
                                     std::initializer_list<std::string_view> extra_fields,
                                     nn::Model& model);

// A manifest's "metrics": an object of numbers; errors name `where`.
std::map<std::string, double> metrics_from_json(const nlohmann::json& value,
                                                const std::string& where);

// Throws InvalidArgument naming the tensor and element of the first NaN or Inf parameter.
void require_finite_parameters(const nn::Model& model);
void require_finite_parameters(const std::map<std::string, Tensor>& parameters);

// What errors about the manifest are prefixed with.
inline const std::string kManifest = kManifestFileName;

// The document's "format" is `format` and its "version" is `version`, or an error naming both.
void require_format_version(const nlohmann::json& document, const std::string& format,
                            uint64_t version);

// The weights file's tensors into model.parameters, then validate(model) (which checks them
// against the manifest's architecture) and every value finite; errors name the weights file.
template <typename Model, typename Validate>
void read_parameters(std::span<const uint8_t> weights, Model& model, Validate&& validate) {
  try {
    model.parameters = parse_safetensors(weights).tensors;
  } catch (const InvalidArgument& error) {
    throw InvalidArgument(std::string(kWeightsFileName) + ": " + error.what());
  }
  try {
    validate(model);
  } catch (const InvalidArgument& error) {
    throw InvalidArgument(std::string(kWeightsFileName) + " does not match " + kManifest + ": " +
                          error.what());
  }
  require_finite_parameters(model.parameters);
}

// parse(manifest bytes, weights bytes) on the two files of model directory `dir`, its errors
// prefixed with the directory.
template <typename Parse>
auto parse_model_directory(const std::string& dir, Parse&& parse) {
  const std::vector<uint8_t> manifest_json = read_file_bytes(dir + "/" + kManifestFileName);
  const std::vector<uint8_t> weights = read_file_bytes(dir + "/" + kWeightsFileName);
  try {
    return parse(manifest_json, weights);
  } catch (const InvalidArgument& error) {
    throw InvalidArgument(dir + ": " + error.what());
  }
}

}  // namespace quantlab
