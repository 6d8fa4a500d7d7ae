// What a report records to identify what it measured and to pair its predictions with another
// report's (docs/report.md, "Provenance and predictions"); compare_reports.cpp reads them back.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "quantlab/nn.h"

namespace quantlab::eval {

// SHA-256 of the canonical serialized model: the manifest's "architecture" JSON as the engine
// writes it (compact dump), then the parameters as safetensors bytes without metadata. Names,
// recipes and metrics do not enter it: two files with the same network hash alike.
std::string model_sha256(const nn::Model& model);

// SHA-256 of the test set as the network sees it: each label as one byte, then the network
// inputs (f32 little-endian, after the manifest's pixel scale, mean and std).
std::string dataset_sha256(const nn::Examples& test);

// Top-1 classes (or labels), one byte each in test-set order, as base64; every value < 256.
std::string encode_classes(std::span<const int32_t> classes);
// The inverse; `what` names the field in errors.
std::vector<uint8_t> decode_classes(const nlohmann::ordered_json& text, const std::string& what);

}  // namespace quantlab::eval
