// The manifest.json document shared by FP32 model files and quantized model files
// (quantized_model_files.cpp adds its "quantization" field to the same document).
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
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
