// Plans as JSON (docs/plans.md): {"format": "quantlab-plan", "version": 1, "name", "default":
// {layer fields}, "layers": {"<layer name>": {layer fields}}}. Layer fields: weights, granularity,
// group_size, symmetric, activations, weight_range, method, gptq_damp, gptq_act_order,
// bias_correction; a layer entry overrides only the fields it
// names, over the plan's default.
#include <array>

#include "io/strict_json.h"
#include "quantlab/error.h"
#include "quantlab/io.h"

namespace quantlab {
namespace {

// The enum's own spelling (the library's too), not granularity_name's prose form.
constexpr std::array<std::pair<Granularity, const char*>, 3> kGranularities = {{
    {Granularity::per_tensor, "per_tensor"},
    {Granularity::per_channel, "per_channel"},
    {Granularity::per_group, "per_group"},
}};

const char* granularity_key(Granularity granularity) {
  for (const auto& [g, key] : kGranularities) {
    if (g == granularity) return key;
  }
  return "unknown";
}

Granularity parse_granularity(const std::string& name, const std::string& where) {
  for (const auto& [g, key] : kGranularities) {
    if (name == key) return g;
  }
  throw InvalidArgument(where + ": unknown granularity '" + name +
                        "' (valid: per_tensor, per_channel, per_group)");
}

// Reads the fields present in `value` over `layer`. Enum parse errors get `where` in front.
quantization::LayerPlan layer_from_json(const nlohmann::json& value, quantization::LayerPlan layer,
                                        const std::string& where) {
  require(value.is_object(), where + " must be an object, got " + excerpt(value));
  require_only_fields(value,
                      {"weights", "granularity", "group_size", "symmetric", "activations",
                       "weight_range", "method", "gptq_damp", "gptq_act_order", "bias_correction"},
                      where);
  const auto named = [&](const char* key, auto parse) {
    const std::string text = as_string(value.at(key), where + "." + key);
    try {
      return parse(text);
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(where + "." + key + ": " + e.what());
    }
  };
  if (value.contains("weights"))
    layer.weights = named("weights", quantization::parse_weight_format);
  if (value.contains("granularity")) {
    layer.granularity = parse_granularity(
        as_string(value.at("granularity"), where + ".granularity"), where + ".granularity");
  }
  if (value.contains("group_size")) {
    layer.group_size = as_size(value.at("group_size"), where + ".group_size");
  }
  const auto flag = [&](const char* key, bool& out) {
    if (!value.contains(key)) return;
    require(value.at(key).is_boolean(),
            where + "." + key + " must be true or false, got " + excerpt(value.at(key)));
    out = value.at(key).get<bool>();
  };
  flag("symmetric", layer.symmetric);
  flag("gptq_act_order", layer.gptq_act_order);
  flag("bias_correction", layer.bias_correction);
  if (value.contains("method")) layer.method = named("method", quantization::parse_weight_method);
  if (value.contains("gptq_damp")) {
    layer.gptq_damp = as_number(value.at("gptq_damp"), where + ".gptq_damp");
  }
  if (value.contains("activations")) {
    layer.activations = named("activations", quantization::parse_activations);
  }
  if (value.contains("weight_range")) {
    layer.weight_range = named("weight_range", calib::parse_weight_range);
  }
  return layer;
}

nlohmann::ordered_json layer_to_json(const quantization::LayerPlan& layer) {
  nlohmann::ordered_json out;
  // Every field, even those an FP32 layer ignores, so that reading it back gives an equal plan.
  out["weights"] = quantization::weight_format_name(layer.weights);
  out["granularity"] = granularity_key(layer.granularity);
  out["group_size"] = layer.group_size;
  out["symmetric"] = layer.symmetric;
  out["activations"] = quantization::activations_name(layer.activations);
  out["weight_range"] = calib::weight_range_name(layer.weight_range);
  out["method"] = quantization::weight_method_name(layer.method);
  out["gptq_damp"] = layer.gptq_damp;
  out["gptq_act_order"] = layer.gptq_act_order;
  out["bias_correction"] = layer.bias_correction;
  return out;
}

}  // namespace

quantization::Plan plan_from_json(const nlohmann::json& value, const std::string& what) {
  require(value.is_object(), what + " must be a JSON object, got " + excerpt(value));
  require_only_fields(value, {"format", "version", "name", "default", "layers"}, what);
  if (value.contains("format")) {
    const std::string format = as_string(value.at("format"), what + ".format");
    require(format == "quantlab-plan",
            what + ".format must be \"quantlab-plan\", got \"" + format + "\"");
  }
  if (value.contains("version")) {
    require(as_size(value.at("version"), what + ".version") == 1,
            what + ".version: only version 1 is known");
  }
  quantization::Plan plan;
  if (value.contains("name")) plan.name = as_string(value.at("name"), what + ".name");
  if (value.contains("default")) {
    plan.defaults = layer_from_json(value.at("default"), {}, what + ".default");
  }
  if (value.contains("layers")) {
    const nlohmann::json& layers = value.at("layers");
    require(layers.is_object(),
            what + ".layers must be an object keyed by layer name, got " + excerpt(layers));
    for (const auto& [name, layer] : layers.items()) {
      plan.layers[name] = layer_from_json(layer, plan.defaults, what + ".layers." + name);
    }
  }
  return plan;
}

quantization::Plan plan_from_spec(const nlohmann::json& spec, const std::string& what) {
  if (spec.is_string()) return quantization::preset(spec.get<std::string>());
  return plan_from_json(spec, what);
}

quantization::Plan parse_plan(std::string_view text, const std::string& what) {
  return plan_from_json(parse_json_strict(text, what), what);
}

nlohmann::ordered_json plan_to_json(const quantization::Plan& plan) {
  nlohmann::ordered_json out;
  out["format"] = "quantlab-plan";
  out["version"] = 1;
  out["name"] = plan.name;
  out["default"] = layer_to_json(plan.defaults);
  nlohmann::ordered_json layers = nlohmann::ordered_json::object();
  for (const auto& [name, layer] : plan.layers) layers[name] = layer_to_json(layer);
  out["layers"] = layers;
  return out;
}

quantization::Plan plan_by_name_or_file(const std::string& spec) {
  for (const std::string& name : quantization::preset_names()) {
    if (spec == name) return quantization::preset(name);
  }
  require(
      spec.ends_with(".json"), "'" + spec + "' is neither a plan preset (" + [] {
        std::string names;
        for (const std::string& n : quantization::preset_names())
          names += (names.empty() ? "" : ", ") + n;
        return names;
      }() + ") nor a .json plan file");
  const std::vector<uint8_t> bytes = read_file_bytes(spec);
  return parse_plan(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                    spec);
}

}  // namespace quantlab
