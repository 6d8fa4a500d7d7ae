// Model bookkeeping: parameter lookup, shape chaining and validation.
#include <algorithm>
#include <set>
#include <utility>

#include "quantlab/error.h"
#include "quantlab/nn.h"

namespace quantlab::nn {

const Tensor& Model::parameter(const std::string& name) const {
  auto it = parameters.find(name);
  require(it != parameters.end(), "model has no parameter '" + name + "'");
  return it->second;
}

Tensor& Model::parameter(const std::string& name) {
  return const_cast<Tensor&>(std::as_const(*this).parameter(name));
}

std::vector<Shape> layer_output_shapes(const Model& model) {
  require(model.input_shape.rank() == 1 || model.input_shape.rank() == 3,
          "model input shape must be [features] or [channels, height, width], got " +
              model.input_shape.to_string());
  require(model.input_shape.element_count() > 0, "model input shape has a zero dimension");
  std::vector<Shape> shapes;
  Shape current = model.input_shape;
  for (const LayerSpec& layer : model.layers) {
    current = output_shape(layer, current);
    shapes.push_back(current);
  }
  return shapes;
}

void validate_model(const Model& model) {
  require(!model.layers.empty(), "model has no layers");
  std::set<std::string> names;
  std::set<std::string> expected;
  for (const LayerSpec& layer : model.layers) {
    require(!layer.name.empty(),
            "a layer of kind " + std::string(layer_kind_name(layer.kind)) + " has an empty name");
    require(names.insert(layer.name).second, "layer name '" + layer.name + "' is used twice");
    for (const ParameterSpec& p : parameter_specs(layer)) {
      const Tensor& tensor = model.parameter(p.name);
      require(tensor.dtype() == DType::f32, "parameter '" + p.name + "' has dtype " +
                                                dtype_name(tensor.dtype()) + ", expected f32");
      require(tensor.shape() == p.shape, "parameter '" + p.name + "' has shape " +
                                             tensor.shape().to_string() + ", expected " +
                                             p.shape.to_string());
      expected.insert(p.name);
    }
  }
  layer_output_shapes(model);
  for (const auto& [name, tensor] : model.parameters) {
    require(expected.count(name) == 1, "parameter '" + name + "' belongs to no layer");
  }
}

void allocate_parameters(Model& model) {
  model.parameters.clear();
  for (const LayerSpec& layer : model.layers) {
    for (const ParameterSpec& p : parameter_specs(layer)) {
      Tensor tensor(DType::f32, p.shape);
      const bool starts_at_one = layer.kind == LayerKind::batchnorm &&
                                 (p.name.ends_with(".weight") || p.name.ends_with(".running_var"));
      if (starts_at_one) {
        auto v = tensor.values<float>();
        std::fill(v.begin(), v.end(), 1.0f);
      }
      model.parameters.emplace(p.name, std::move(tensor));
    }
  }
}

size_t parameter_count(const Model& model) {
  size_t count = 0;
  for (const auto& [name, tensor] : model.parameters) count += tensor.element_count();
  return count;
}

}  // namespace quantlab::nn
