#include "io/strict_json.h"
#include "quantlab/error.h"
#include "quantlab/io.h"
#include "quantlab/nn.h"

namespace quantlab {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using nn::LayerKind;
using nn::LayerSpec;

struct SizeField {
  const char* name;
  size_t LayerSpec::*member;
};
struct FloatField {
  const char* name;
  float LayerSpec::*member;
};

// The fields each kind serializes, in the order they are written.
struct KindFields {
  std::vector<SizeField> sizes;
  std::vector<FloatField> floats;
};

KindFields fields_of(LayerKind kind) {
  switch (kind) {
    case LayerKind::linear:
      return {
          {{"in_features", &LayerSpec::in_features}, {"out_features", &LayerSpec::out_features}},
          {}};
    case LayerKind::conv2d:
      return {{{"in_channels", &LayerSpec::in_channels},
               {"out_channels", &LayerSpec::out_channels},
               {"kernel", &LayerSpec::kernel},
               {"stride", &LayerSpec::stride},
               {"padding", &LayerSpec::padding}},
              {}};
    case LayerKind::maxpool2d:
    case LayerKind::avgpool2d:
      return {{{"kernel", &LayerSpec::kernel}, {"stride", &LayerSpec::stride}}, {}};
    case LayerKind::batchnorm:
      return {{{"channels", &LayerSpec::channels}},
              {{"epsilon", &LayerSpec::epsilon}, {"momentum", &LayerSpec::momentum}}};
    case LayerKind::dropout:
      return {{}, {{"rate", &LayerSpec::rate}}};
    case LayerKind::relu:
    case LayerKind::flatten:
    case LayerKind::softmax:
      return {};
  }
  return {};
}

std::string layer_where(size_t index, const json& layer) {
  std::string where = "manifest.json architecture layer " + std::to_string(index);
  if (layer.is_object() && layer.contains("name") && layer["name"].is_string()) {
    where += " '" + layer["name"].get<std::string>() + "'";
  }
  return where;
}

LayerSpec layer_from_json(const json& value, const std::string& where) {
  require(value.is_object(), where + " must be a JSON object");
  LayerSpec layer;
  const std::string kind = as_string(field(value, "kind", where), where + " kind");
  try {
    layer.kind = nn::parse_layer_kind(kind);
  } catch (const InvalidArgument& error) {
    throw InvalidArgument(where + ": " + error.what());
  }
  layer.name = as_string(field(value, "name", where), where + " name");
  const KindFields fields = fields_of(layer.kind);
  std::vector<std::string> allowed = {"kind", "name", "output_shape", "parameters"};
  for (const SizeField& f : fields.sizes) {
    allowed.emplace_back(f.name);
    const uint64_t size = as_size(field(value, f.name, where), where + " " + f.name);
    require(size <= SIZE_MAX, where + " " + f.name + " is too large");
    layer.*f.member = static_cast<size_t>(size);
  }
  for (const FloatField& f : fields.floats) {
    allowed.emplace_back(f.name);
    layer.*f.member =
        static_cast<float>(as_number(field(value, f.name, where), where + " " + f.name));
  }
  require_only_fields(value, allowed, where);
  return layer;
}

// The stated shapes must be the ones the layer list implies.
void check_stated_shapes(const json& value, const LayerSpec& layer, const Shape& output,
                         const std::string& where) {
  const Shape stated(as_dims(field(value, "output_shape", where), where + " output_shape"));
  require(stated == output, where + " states output_shape " + stated.to_string() +
                                " but its input gives " + output.to_string());
  const json& parameters = field(value, "parameters", where);
  // Stated shapes over the element limit are refused before the layer's own shapes are
  // computed, which could overflow a 32-bit size_t (wasm) first and name no parameter.
  if (parameters.is_object()) {
    for (const auto& [name, dims] : parameters.items()) {
      as_dims(dims, where + " parameter '" + name + "'");
    }
  }
  std::vector<nn::ParameterSpec> specs;
  try {  // a weight shape whose element count overflows a 32-bit size_t (wasm) throws here
    specs = nn::parameter_specs(layer);
  } catch (const InvalidArgument& error) {
    throw InvalidArgument(where + ": " + error.what());
  }
  require(parameters.is_object() && parameters.size() == specs.size(),
          where + " parameters must list exactly its " + std::to_string(specs.size()) +
              " parameters, got " + excerpt(parameters));
  for (const nn::ParameterSpec& spec : specs) {
    const std::string what = where + " parameter '" + spec.name + "'";
    const Shape shape(as_dims(field(parameters, spec.name, where + " parameters"), what));
    require(shape == spec.shape, what + " states shape " + shape.to_string() +
                                     ", the layer needs " + spec.shape.to_string());
  }
}

}  // namespace

ordered_json architecture_to_json(const nn::Model& model) {
  const std::vector<Shape> outputs = nn::layer_output_shapes(model);
  ordered_json layers = ordered_json::array();
  for (size_t i = 0; i < model.layers.size(); ++i) {
    const LayerSpec& layer = model.layers[i];
    ordered_json value = {{"kind", nn::layer_kind_name(layer.kind)}, {"name", layer.name}};
    const KindFields fields = fields_of(layer.kind);
    for (const SizeField& f : fields.sizes) value[f.name] = layer.*f.member;
    for (const FloatField& f : fields.floats) value[f.name] = shortest_double(layer.*f.member);
    value["output_shape"] = outputs[i].dims();
    ordered_json parameters = ordered_json::object();
    for (const nn::ParameterSpec& spec : nn::parameter_specs(layer)) {
      parameters[spec.name] = spec.shape.dims();
    }
    value["parameters"] = std::move(parameters);
    layers.push_back(std::move(value));
  }
  return {{"layers", std::move(layers)}};
}

void architecture_from_json(const json& architecture, const std::vector<size_t>& input_shape,
                            nn::Model& model) {
  const std::string where = "manifest.json architecture";
  require_only_fields(architecture, {"layers"}, where);
  const json& layers = field(architecture, "layers", where);
  require(layers.is_array() && !layers.empty(), where + " layers must be a non-empty list");
  require(layers.size() <= kMaxLayers, where + " layers lists " + std::to_string(layers.size()) +
                                           " layers, more than the limit of " +
                                           std::to_string(kMaxLayers));
  model.input_shape = Shape(input_shape);
  model.layers.clear();
  for (size_t i = 0; i < layers.size(); ++i) {
    model.layers.push_back(layer_from_json(layers[i], layer_where(i, layers[i])));
  }
  std::vector<Shape> outputs;
  try {
    outputs = nn::layer_output_shapes(model);
  } catch (const InvalidArgument& error) {
    throw InvalidArgument(where + ": " + error.what());
  }
  for (size_t i = 0; i < layers.size(); ++i) {
    check_stated_shapes(layers[i], model.layers[i], outputs[i], layer_where(i, layers[i]));
  }
}

}  // namespace quantlab
