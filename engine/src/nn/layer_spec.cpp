// Layer kinds, spec constructors and the shape rules of each kind.
#include <array>
#include <utility>

#include "quantlab/error.h"
#include "quantlab/nn.h"

namespace quantlab::nn {

namespace {

constexpr std::array<std::pair<LayerKind, const char*>, 9> kKindNames = {{
    {LayerKind::linear, "linear"},
    {LayerKind::conv2d, "conv2d"},
    {LayerKind::relu, "relu"},
    {LayerKind::maxpool2d, "maxpool2d"},
    {LayerKind::avgpool2d, "avgpool2d"},
    {LayerKind::flatten, "flatten"},
    {LayerKind::softmax, "softmax"},
    {LayerKind::batchnorm, "batchnorm"},
    {LayerKind::dropout, "dropout"},
}};

LayerSpec spec(LayerKind kind, std::string name) {
  LayerSpec layer;
  layer.kind = kind;
  layer.name = std::move(name);
  return layer;
}

std::string where(const LayerSpec& layer) {
  return "layer '" + layer.name + "' (" + layer_kind_name(layer.kind) + ")";
}

Shape pooled_shape(const LayerSpec& layer, const Shape& input) {
  require(input.rank() == 3,
          where(layer) + " needs a [channels, height, width] input, got " + input.to_string());
  require(layer.kernel > 0 && layer.stride > 0,
          where(layer) + " needs kernel and stride of at least 1");
  require(layer.kernel <= input[1] && layer.kernel <= input[2],
          where(layer) + " window " + std::to_string(layer.kernel) + " exceeds input " +
              input.to_string());
  return Shape{input[0], (input[1] - layer.kernel) / layer.stride + 1,
               (input[2] - layer.kernel) / layer.stride + 1};
}

}  // namespace

const char* layer_kind_name(LayerKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

LayerKind parse_layer_kind(std::string_view name) {
  for (const auto& [kind, kind_name] : kKindNames) {
    if (name == kind_name) return kind;
  }
  throw InvalidArgument("unknown layer kind '" + std::string(name) + "'");
}

LayerSpec linear(std::string name, size_t in_features, size_t out_features) {
  LayerSpec layer = spec(LayerKind::linear, std::move(name));
  layer.in_features = in_features;
  layer.out_features = out_features;
  return layer;
}

LayerSpec conv2d(std::string name, size_t in_channels, size_t out_channels, size_t kernel,
                 size_t stride, size_t padding) {
  LayerSpec layer = spec(LayerKind::conv2d, std::move(name));
  layer.in_channels = in_channels;
  layer.out_channels = out_channels;
  layer.kernel = kernel;
  layer.stride = stride;
  layer.padding = padding;
  return layer;
}

LayerSpec relu(std::string name) { return spec(LayerKind::relu, std::move(name)); }

LayerSpec maxpool2d(std::string name, size_t kernel, size_t stride) {
  LayerSpec layer = spec(LayerKind::maxpool2d, std::move(name));
  layer.kernel = kernel;
  layer.stride = stride;
  return layer;
}

LayerSpec avgpool2d(std::string name, size_t kernel, size_t stride) {
  LayerSpec layer = maxpool2d(std::move(name), kernel, stride);
  layer.kind = LayerKind::avgpool2d;
  return layer;
}

LayerSpec flatten(std::string name) { return spec(LayerKind::flatten, std::move(name)); }

LayerSpec softmax(std::string name) { return spec(LayerKind::softmax, std::move(name)); }

LayerSpec batchnorm(std::string name, size_t channels, float epsilon) {
  LayerSpec layer = spec(LayerKind::batchnorm, std::move(name));
  layer.channels = channels;
  layer.epsilon = epsilon;
  return layer;
}

LayerSpec dropout(std::string name, float rate) {
  LayerSpec layer = spec(LayerKind::dropout, std::move(name));
  layer.rate = rate;
  return layer;
}

std::vector<ParameterSpec> parameter_specs(const LayerSpec& layer) {
  const std::string& n = layer.name;
  switch (layer.kind) {
    case LayerKind::linear:
      return {{n + ".weight", Shape{layer.out_features, layer.in_features}},
              {n + ".bias", Shape{layer.out_features}}};
    case LayerKind::conv2d:
      return {
          {n + ".weight", Shape{layer.out_channels, layer.in_channels, layer.kernel, layer.kernel}},
          {n + ".bias", Shape{layer.out_channels}}};
    case LayerKind::batchnorm:
      return {{n + ".weight", Shape{layer.channels}},
              {n + ".bias", Shape{layer.channels}},
              {n + ".running_mean", Shape{layer.channels}},
              {n + ".running_var", Shape{layer.channels}}};
    default:
      return {};
  }
}

Shape output_shape(const LayerSpec& layer, const Shape& input) {
  switch (layer.kind) {
    case LayerKind::linear:
      require(layer.in_features > 0 && layer.out_features > 0,
              where(layer) + " needs in_features and out_features of at least 1");
      require(input.rank() == 1 && input[0] == layer.in_features,
              where(layer) + " expects input [" + std::to_string(layer.in_features) + "], got " +
                  input.to_string());
      return Shape{layer.out_features};
    case LayerKind::conv2d: {
      require(
          layer.in_channels > 0 && layer.out_channels > 0 && layer.kernel > 0 && layer.stride > 0,
          where(layer) + " needs channels, kernel and stride of at least 1");
      require(input.rank() == 3 && input[0] == layer.in_channels,
              where(layer) + " expects input [" + std::to_string(layer.in_channels) +
                  ", height, width], got " + input.to_string());
      const size_t padded_h = input[1] + 2 * layer.padding;
      const size_t padded_w = input[2] + 2 * layer.padding;
      require(layer.kernel <= padded_h && layer.kernel <= padded_w,
              where(layer) + " kernel " + std::to_string(layer.kernel) + " exceeds padded input " +
                  input.to_string());
      return Shape{layer.out_channels, (padded_h - layer.kernel) / layer.stride + 1,
                   (padded_w - layer.kernel) / layer.stride + 1};
    }
    case LayerKind::maxpool2d:
    case LayerKind::avgpool2d:
      return pooled_shape(layer, input);
    case LayerKind::flatten:
      require(input.rank() >= 1, where(layer) + " needs an input of rank at least 1");
      return Shape{input.element_count()};
    case LayerKind::batchnorm:
      require(layer.channels > 0 && layer.epsilon > 0,
              where(layer) + " needs channels of at least 1 and a positive epsilon");
      require((input.rank() == 1 || input.rank() == 3) && input[0] == layer.channels,
              where(layer) + " expects " + std::to_string(layer.channels) +
                  " features or channels first, got " + input.to_string());
      return input;
    case LayerKind::dropout:
      require(layer.rate >= 0.0f && layer.rate < 1.0f,
              where(layer) + " rate must be in [0, 1), got " + std::to_string(layer.rate));
      return input;
    case LayerKind::relu:
    case LayerKind::softmax:
      return input;
  }
  throw InvalidArgument(where(layer) + " has an unknown kind");
}

}  // namespace quantlab::nn
