// Provenance and per-example predictions of the report (docs/report.md).
#include "eval/report_provenance.h"

#include "quantlab/error.h"
#include "quantlab/eval_digest.h"
#include "quantlab/io.h"

namespace quantlab::eval {

std::string model_sha256(const nn::Model& model) {
  Sha256 hash;
  hash.update(architecture_to_json(model).dump());
  hash.update(serialize_safetensors({{}, model.parameters}));
  return hash.hex();
}

std::string dataset_sha256(const nn::Examples& test) {
  Sha256 hash;
  std::vector<uint8_t> labels;
  labels.reserve(test.size());
  for (int32_t label : test.labels) {
    require(label >= 0 && label < 256,
            "dataset hash: label " + std::to_string(label) + " is not a byte");
    labels.push_back(static_cast<uint8_t>(label));
  }
  hash.update(labels);
  hash.update({test.inputs.bytes(), test.inputs.byte_size()});
  return hash.hex();
}

std::string encode_classes(std::span<const int32_t> classes) {
  std::vector<uint8_t> bytes;
  bytes.reserve(classes.size());
  for (int32_t c : classes) {
    require(c >= 0 && c < 256, "predictions: class " + std::to_string(c) + " is not a byte");
    bytes.push_back(static_cast<uint8_t>(c));
  }
  return base64_encode(bytes);
}

std::vector<uint8_t> decode_classes(const nlohmann::ordered_json& text, const std::string& what) {
  require(text.is_string(), what + " must be a base64 string");
  return base64_decode(text.get_ref<const std::string&>(), what);
}

}  // namespace quantlab::eval
