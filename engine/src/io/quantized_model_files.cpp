// Quantized model files (docs/quantized-model-format.md): the manifest of the inference-form model
// plus a "quantization" field (plan, calibration, activation parameters), and a safetensors file
// holding, per quantized layer, its codes, scales and zero points, and every FP32 parameter
// (biases, weights the plan keeps in FP32) by name as in an FP32 model file.
#include <cmath>
#include <cstring>

#include "io/manifest.h"
#include "io/strict_json.h"
#include "quantlab/error.h"
#include "quantlab/io.h"
#include "quantlab/quant_values.h"

namespace quantlab {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

const std::string kWeights = kWeightsFileName;

std::string codes_name(const std::string& layer) { return layer + ".weight.codes"; }
std::string scales_name(const std::string& layer) { return layer + ".weight.scales"; }
std::string zero_points_name(const std::string& layer) { return layer + ".weight.zero_points"; }

Tensor bytes_tensor(DType type, Shape shape, const void* bytes) {
  Tensor t(type, std::move(shape));
  if (t.byte_size() > 0) std::memcpy(t.bytes(), bytes, t.byte_size());
  return t;
}

// Asymmetric zero points take `bits` bits each in the file, as Eq. 10 counts them: 8-bit ones
// one byte each, 4-bit ones two per byte, low nibble first (Eq. 9).
Tensor pack_zero_points(const QuantizedTensor& w) {
  const std::vector<int32_t>& zps = w.zero_points;
  if (w.scheme.bits == 8) {
    std::vector<int8_t> bytes(zps.begin(), zps.end());
    return bytes_tensor(DType::i8, Shape{bytes.size()}, bytes.data());
  }
  std::vector<uint8_t> bytes((zps.size() + 1) / 2, 0);
  for (size_t i = 0; i < zps.size(); ++i) {
    bytes[i / 2] |= static_cast<uint8_t>((zps[i] & 0x0F) << (4 * (i % 2)));
  }
  return bytes_tensor(DType::u8, Shape{bytes.size()}, bytes.data());
}

std::vector<int32_t> unpack_zero_points(const Tensor& t, const QuantScheme& scheme, size_t count,
                                        const std::string& name) {
  const size_t bytes = scheme.bits == 8 ? count : (count + 1) / 2;
  const DType type = scheme.bits == 8 ? DType::i8 : DType::u8;
  require(t.dtype() == type && t.shape() == Shape{bytes},
          kWeights + ": tensor '" + name + "' must be " + dtype_name(type) + " [" +
              std::to_string(bytes) + "], got " + dtype_name(t.dtype()) + " " +
              t.shape().to_string());
  std::vector<int32_t> zps(count);
  for (size_t i = 0; i < count; ++i) {
    zps[i] = scheme.bits == 8 ? t.values<int8_t>()[i]
                              : unpack_nibble(t.values<uint8_t>()[i / 2], i % 2 == 1, false);
  }
  return zps;
}

// Takes the tensor `name` out of `tensors`, checking its dtype and shape.
Tensor take(std::map<std::string, Tensor>& tensors, const std::string& name, DType type,
            const Shape& shape) {
  const auto it = tensors.find(name);
  require(it != tensors.end(), kWeights + ": tensor '" + name + "' is missing");
  Tensor t = std::move(it->second);
  tensors.erase(it);
  require(t.dtype() == type && t.shape() == shape,
          kWeights + ": tensor '" + name + "' must be " + dtype_name(type) + " " +
              shape.to_string() + ", got " + dtype_name(t.dtype()) + " " + t.shape().to_string());
  return t;
}

QuantizedTensor read_weight(std::map<std::string, Tensor>& tensors, const std::string& layer,
                            const Shape& shape, const QuantScheme& scheme) {
  QuantizedTensor w;
  w.shape = shape;
  w.scheme = scheme;
  const size_t rows = shape.rows();
  const size_t row_length = shape.row_length();
  const Tensor codes =
      scheme.bits == 8
          ? take(tensors, codes_name(layer), DType::i8, Shape{rows, row_length})
          : take(tensors, codes_name(layer), DType::u8, Shape{rows, (row_length + 1) / 2});
  w.data.assign(codes.bytes(), codes.bytes() + codes.byte_size());
  const auto it = tensors.find(scales_name(layer));
  require(it != tensors.end() && it->second.dtype() == DType::f32 && it->second.shape().rank() == 1,
          kWeights + ": tensor '" + scales_name(layer) + "' must be f32 [count]");
  const Shape scales_shape = it->second.shape();  // take() moves the tensor out
  const Tensor scales = take(tensors, scales_name(layer), DType::f32, scales_shape);
  w.scales.assign(scales.values<float>().begin(), scales.values<float>().end());
  if (scheme.symmetric) {
    w.zero_points.assign(w.scales.size(), 0);
  } else {
    const auto zp = tensors.find(zero_points_name(layer));
    require(zp != tensors.end(),
            kWeights + ": tensor '" + zero_points_name(layer) + "' is missing");
    w.zero_points = unpack_zero_points(zp->second, scheme, w.scales.size(), zp->first);
    tensors.erase(zp);
  }
  return w;
}

float finite_float(const json& value, const std::string& what) {
  const double number = as_number(value, what);
  require(std::isfinite(number), what + " must be finite");
  return static_cast<float>(number);
}

ordered_json calibration_to_json(const quantization::Calibration& c) {
  ordered_json ranges = ordered_json::object();
  for (const auto& [layer, range] : c.input_ranges) {
    ranges[layer] = {shortest_double(range.min), shortest_double(range.max)};
  }
  return {{"method", calib::method_name(c.observer.method)},
          {"percentile", c.observer.percentile},
          {"averaging_constant", shortest_double(c.observer.averaging_constant)},
          {"bins", c.observer.bins},
          {"samples", c.samples},
          {"input_ranges", ranges}};
}

quantization::Calibration calibration_from_json(const json& value, const std::string& where) {
  require(value.is_object(), where + " must be an object");
  require_only_fields(
      value, {"method", "percentile", "averaging_constant", "bins", "samples", "input_ranges"},
      where);
  quantization::Calibration c;
  try {
    c.observer.method =
        calib::parse_method(as_string(field(value, "method", where), where + ".method"));
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(where + ".method: " + e.what());
  }
  c.observer.percentile = as_number(field(value, "percentile", where), where + ".percentile");
  c.observer.averaging_constant =
      finite_float(field(value, "averaging_constant", where), where + ".averaging_constant");
  c.observer.bins = as_size(field(value, "bins", where), where + ".bins");
  c.samples = as_size(field(value, "samples", where), where + ".samples");
  const json& ranges = field(value, "input_ranges", where);
  require(ranges.is_object(), where + ".input_ranges must be an object keyed by layer name");
  for (const auto& [layer, range] : ranges.items()) {
    const std::string what = where + ".input_ranges." + layer;
    require(range.is_array() && range.size() == 2, what + " must be [min, max]");
    const calib::Range r{finite_float(range[0], what + "[0]"),
                         finite_float(range[1], what + "[1]")};
    require(r.min <= r.max, what + ": min exceeds max");
    c.input_ranges.emplace(layer, r);
  }
  return c;
}

}  // namespace

std::string serialize_quantized_manifest(const quantization::QuantizedModel& quantized,
                                         const ModelManifest& manifest) {
  quantization::validate_quantized_model(quantized);
  ordered_json document = manifest_document(quantized.model, manifest);
  ordered_json params = ordered_json::object();
  for (const auto& [layer, q] : quantized.layers) {
    if (q.activations != quantization::Activations::int8_static) continue;
    params[layer] = {{"scale", shortest_double(q.input_params.scale)},
                     {"zero_point", q.input_params.zero_point}};
  }
  document["quantization"] = {{"plan", plan_to_json(quantized.plan)},
                              {"calibration", calibration_to_json(quantized.calibration)},
                              {"input_params", params}};
  return document.dump(2) + "\n";
}

std::vector<uint8_t> serialize_quantized_weights(const quantization::QuantizedModel& quantized) {
  quantization::validate_quantized_model(quantized);
  TensorFile file;
  file.metadata["format"] = "quantlab-quantized";
  for (const auto& [name, tensor] : quantized.model.parameters) file.tensors.emplace(name, tensor);
  for (const auto& [layer, q] : quantized.layers) {
    const QuantizedTensor& w = q.weight;
    const size_t rows = w.shape.rows();
    file.tensors.emplace(codes_name(layer),
                         bytes_tensor(w.scheme.bits == 8 ? DType::i8 : DType::u8,
                                      Shape{rows, w.data.size() / rows}, w.data.data()));
    file.tensors.emplace(scales_name(layer), Tensor::from_f32(Shape{w.scales.size()}, w.scales));
    if (!w.scheme.symmetric) file.tensors.emplace(zero_points_name(layer), pack_zero_points(w));
  }
  return serialize_safetensors(file);
}

void save_quantized_model(const std::string& dir, const quantization::QuantizedModel& quantized,
                          const ModelManifest& manifest) {
  const std::string text = serialize_quantized_manifest(quantized, manifest);
  write_file_bytes(dir + "/" + kWeightsFileName, serialize_quantized_weights(quantized));
  write_file_bytes(dir + "/" + kManifestFileName,
                   {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

bool is_quantized_manifest(std::span<const uint8_t> manifest_json) {
  const json document = parse_json_strict(
      {reinterpret_cast<const char*>(manifest_json.data()), manifest_json.size()}, kManifest);
  return document.is_object() && document.contains("quantization");
}

quantization::QuantizedModel parse_quantized_model(std::span<const uint8_t> manifest_json,
                                                   std::span<const uint8_t> weights,
                                                   ModelManifest& manifest) {
  const json document = parse_json_strict(
      {reinterpret_cast<const char*>(manifest_json.data()), manifest_json.size()}, kManifest);
  quantization::QuantizedModel quantized;
  ModelManifest parsed = manifest_from_document(document, {"quantization"}, quantized.model);
  const std::string where = kManifest + " quantization";
  const json& section = field(document, "quantization", kManifest);
  require(section.is_object(), where + " must be an object");
  require_only_fields(section, {"plan", "calibration", "input_params"}, where);
  quantized.plan = plan_from_json(field(section, "plan", where), where + ".plan");
  quantized.calibration =
      calibration_from_json(field(section, "calibration", where), where + ".calibration");
  const json& params = field(section, "input_params", where);
  require(params.is_object(), where + ".input_params must be an object keyed by layer name");
  quantization::validate_plan(quantized.plan, quantized.model);

  std::map<std::string, Tensor> tensors;
  try {
    tensors = parse_safetensors(weights).tensors;
  } catch (const InvalidArgument& error) {
    throw InvalidArgument(kWeights + ": " + error.what());
  }
  for (const nn::LayerSpec& spec : quantized.model.layers) {
    const quantization::LayerPlan& plan = quantized.plan.for_layer(spec.name);
    for (const nn::ParameterSpec& p : nn::parameter_specs(spec)) {
      if (p.name == spec.name + ".weight" && plan.weights != quantization::WeightFormat::fp32) {
        quantization::QuantizedLayer layer;
        layer.weight = read_weight(tensors, spec.name, p.shape, plan.scheme());
        layer.activations = plan.activations;
        if (layer.activations == quantization::Activations::int8_static) {
          const std::string what = where + ".input_params." + spec.name;
          const json& entry = field(params, spec.name, where + ".input_params");
          require_only_fields(entry, {"scale", "zero_point"}, what);
          layer.input_params.scale = finite_float(field(entry, "scale", what), what + ".scale");
          const double zp = as_number(field(entry, "zero_point", what), what + ".zero_point");
          require(zp >= -128 && zp <= 127 && zp == std::floor(zp),
                  what + ".zero_point must be an integer in [-128, 127]");
          layer.input_params.zero_point = static_cast<int32_t>(zp);
        }
        quantized.layers.emplace(spec.name, std::move(layer));
        continue;
      }
      quantized.model.parameters.emplace(p.name, take(tensors, p.name, DType::f32, p.shape));
    }
  }
  require(tensors.empty(), kWeights + ": tensor '" +
                               (tensors.empty() ? "" : tensors.begin()->first) +
                               "' belongs to no layer of the plan");
  require_finite_parameters(quantized.model);
  try {
    quantization::validate_quantized_model(quantized);
  } catch (const InvalidArgument& error) {
    throw InvalidArgument(kWeights + ": " + error.what());
  }
  manifest = std::move(parsed);
  return quantized;
}

quantization::QuantizedModel load_quantized_model(const std::string& dir, ModelManifest& manifest) {
  return parse_model_directory(dir, [&](const auto& manifest_json, const auto& weights) {
    return parse_quantized_model(manifest_json, weights, manifest);
  });
}

}  // namespace quantlab
