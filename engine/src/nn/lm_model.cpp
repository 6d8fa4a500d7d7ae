// The LM's configuration, parameters and the view of its Linear layers (nn_lm.h).
#include <array>
#include <utility>

#include "quantlab/error.h"
#include "quantlab/nn_lm.h"

namespace quantlab::nn::lm {
namespace {

const char* const kBlockLinears[] = {"attn.qkv", "attn.proj", "mlp.up", "mlp.down"};

std::string block_prefix(size_t block) { return "block" + std::to_string(block) + "."; }

void positive(size_t value, const char* field) {
  require(value > 0, std::string("lm config ") + field + " must be at least 1");
}

// [out, in] of each Linear of a block, in kBlockLinears' order.
std::array<std::pair<size_t, size_t>, 4> block_linear_shapes(const Config& c) {
  return {{{3 * c.width, c.width}, {c.width, c.width}, {c.hidden, c.width}, {c.width, c.hidden}}};
}

}  // namespace

void validate_config(const Config& c) {
  positive(c.vocab, "vocab");
  positive(c.context, "context");
  positive(c.width, "width");
  positive(c.heads, "heads");
  positive(c.layers, "layers");
  positive(c.hidden, "hidden");
  require(c.width % c.heads == 0, "lm config width " + std::to_string(c.width) +
                                      " must be a multiple of heads " + std::to_string(c.heads));
  require(c.epsilon > 0 && c.epsilon < 1, "lm config epsilon must be in (0, 1)");
}

const Tensor& LanguageModel::parameter(const std::string& name) const {
  const auto it = parameters.find(name);
  require(it != parameters.end(), "language model has no parameter '" + name + "'");
  return it->second;
}

Tensor& LanguageModel::parameter(const std::string& name) {
  const auto it = parameters.find(name);
  require(it != parameters.end(), "language model has no parameter '" + name + "'");
  return it->second;
}

std::vector<ParameterSpec> parameter_specs(const Config& c) {
  std::vector<ParameterSpec> specs{{"embed.weight", Shape{c.vocab, c.width}},
                                   {"position.weight", Shape{c.context, c.width}}};
  const auto shapes = block_linear_shapes(c);
  for (size_t b = 0; b < c.layers; ++b) {
    const std::string p = block_prefix(b);
    specs.push_back({p + "norm1.weight", Shape{c.width}});
    specs.push_back({p + "norm1.bias", Shape{c.width}});
    for (size_t i = 0; i < shapes.size(); ++i) {
      if (i == 2) {
        specs.push_back({p + "norm2.weight", Shape{c.width}});
        specs.push_back({p + "norm2.bias", Shape{c.width}});
      }
      specs.push_back({p + kBlockLinears[i] + ".weight", Shape{shapes[i].first, shapes[i].second}});
      specs.push_back({p + kBlockLinears[i] + ".bias", Shape{shapes[i].first}});
    }
  }
  specs.push_back({"norm.weight", Shape{c.width}});
  specs.push_back({"norm.bias", Shape{c.width}});
  return specs;
}

void allocate_parameters(LanguageModel& model) {
  validate_config(model.config);
  model.parameters.clear();
  for (const ParameterSpec& spec : parameter_specs(model.config)) {
    Tensor tensor(DType::f32, spec.shape);
    if (spec.name.ends_with("norm1.weight") || spec.name.ends_with("norm2.weight") ||
        spec.name == "norm.weight") {
      for (float& v : tensor.values<float>()) v = 1.0f;
    }
    model.parameters.emplace(spec.name, std::move(tensor));
  }
}

void validate_language_model(const LanguageModel& model) {
  validate_config(model.config);
  require(model.tokenizer.size() == model.config.vocab,
          "lm config vocab " + std::to_string(model.config.vocab) + " but the tokenizer has " +
              std::to_string(model.tokenizer.size()) + " tokens");
  const std::vector<ParameterSpec> specs = parameter_specs(model.config);
  for (const ParameterSpec& spec : specs) {
    const auto it = model.parameters.find(spec.name);
    require(it != model.parameters.end(), "language model: missing parameter " + spec.name);
    require(it->second.dtype() == DType::f32 && it->second.shape() == spec.shape, [&] {
      return spec.name + ": " + dtype_name(it->second.dtype()) + " " +
             it->second.shape().to_string() + ", expected f32 " + spec.shape.to_string();
    });
  }
  require(model.parameters.size() == specs.size(),
          "language model has parameters its config does not name");
}

size_t parameter_count(const LanguageModel& model) {
  size_t count = 0;
  for (const auto& [name, tensor] : model.parameters) count += tensor.element_count();
  return count;
}

size_t qkv_index(size_t block) { return 4 * block; }
size_t head_index(const Config& config) { return 4 * config.layers; }

Model linear_view(const LanguageModel& model) {
  const Config& c = model.config;
  Model view;
  view.input_shape = Shape{c.width};
  const auto shapes = block_linear_shapes(c);
  for (size_t b = 0; b < c.layers; ++b) {
    for (size_t i = 0; i < shapes.size(); ++i) {
      const std::string name = block_prefix(b) + kBlockLinears[i];
      view.layers.push_back(linear(name, shapes[i].second, shapes[i].first));
      view.parameters.emplace(name + ".weight", model.parameter(name + ".weight"));
      view.parameters.emplace(name + ".bias", model.parameter(name + ".bias"));
    }
  }
  view.layers.push_back(linear("head", c.width, c.vocab));
  view.parameters.emplace("head.weight", model.parameter("embed.weight"));
  view.parameters.emplace("head.bias", Tensor(DType::f32, Shape{c.vocab}));
  return view;
}

LinearFactory fp32_linears(Impl impl) {
  return [impl](const Model& view, size_t index) {
    return make_fp32_layer(view, index, Shape{view.layers.at(index).in_features}, impl);
  };
}

}  // namespace quantlab::nn::lm
