// From an FP32 model, a plan and a calibration to a QuantizedModel, its checks and its size.
#include <cmath>
#include <string>
#include <utility>

#include "quantize/methods.h"
#include "quantlab/error.h"
#include "quantlab/quantize.h"
#include "quantlab/quantize_lm.h"

namespace quantlab::quantization {
namespace {

bool has_weights(const nn::LayerSpec& layer) {
  return layer.kind == nn::LayerKind::linear || layer.kind == nn::LayerKind::conv2d;
}

// Eq. 7 on the observed range: the asymmetric int8 mapping of a static layer's input.
AffineParams static_input_params(const Calibration& calibration, const std::string& layer) {
  const auto it = calibration.input_ranges.find(layer);
  require(it != calibration.input_ranges.end(),
          "layer '" + layer +
              "' takes int8-static activations but the calibration has no range for its input; "
              "calibrate with this plan");
  return choose_params_minmax(it->second.min, it->second.max, 8, false);
}

const InputStatistics& input_statistics(const Calibration& calibration, const std::string& layer,
                                        const LayerPlan& plan) {
  const auto it = calibration.inputs.find(layer);
  require(it != calibration.inputs.end() && (!plan.needs_hessian() || !it->second.hessian.empty()),
          "layer '" + layer + "' is planned with " +
              (plan.needs_hessian() ? "GPTQ" : "bias correction") +
              " but the calibration has no statistics of its input; calibrate with this plan");
  return it->second;
}

QuantizedTensor quantize_weight(const Tensor& weight, const LayerPlan& plan,
                                const InputStatistics* statistics) {
  const QuantScheme scheme = plan.scheme();
  const auto values = weight.values<float>();
  if (plan.method == WeightMethod::gptq) {
    return gptq_quantize(values, weight.shape(), scheme, plan.weight_range, statistics->hessian,
                         {plan.gptq_damp, plan.gptq_act_order});
  }
  const calib::WeightParams params =
      calib::choose_weight_params(values, weight.shape(), scheme, plan.weight_range);
  return quantize_with_params(values, weight.shape(), scheme, params.scales, params.zero_points);
}

void check_activation_params(const std::string& layer, AffineParams p) {
  require(std::isfinite(p.scale) && p.scale > 0.0f && p.zero_point >= -128 && p.zero_point <= 127,
          layer +
              ".input_params: int8 activations need a positive finite scale and a zero point "
              "in [-128, 127], got scale " +
              std::to_string(p.scale) + ", zero point " + std::to_string(p.zero_point));
}

}  // namespace

QuantizedModel quantize_model(const nn::Model& model, const Plan& plan,
                              const Calibration& calibration) {
  return quantize_layers(nn::fold_for_inference(model), plan, calibration);
}

QuantizedModel quantize_layers(nn::Model inference_model, const Plan& plan,
                               const Calibration& calibration) {
  QuantizedModel quantized;
  quantized.model = std::move(inference_model);
  quantized.plan = plan;
  quantized.calibration = calibration;
  validate_plan(plan, quantized.model);
  for (const nn::LayerSpec& spec : quantized.model.layers) {
    const LayerPlan& layer_plan = plan.for_layer(spec.name);
    if (!has_weights(spec) || layer_plan.weights == WeightFormat::fp32) continue;
    const std::string weight_name = spec.name + ".weight";
    const Tensor& weight = quantized.model.parameter(weight_name);
    const InputStatistics* statistics = layer_plan.needs_input_statistics()
                                            ? &input_statistics(calibration, spec.name, layer_plan)
                                            : nullptr;
    QuantizedLayer layer;
    layer.weight = quantize_weight(weight, layer_plan, statistics);
    if (layer_plan.bias_correction) {
      correct_bias(weight.values<float>(), layer.weight, statistics->mean,
                   quantized.model.parameter(spec.name + ".bias").values<float>());
    }
    layer.activations = layer_plan.activations;
    if (layer.activations == Activations::int8_static) {
      layer.input_params = static_input_params(calibration, spec.name);
    }
    quantized.layers.emplace(spec.name, std::move(layer));
    quantized.model.parameters.erase(weight_name);
  }
  return quantized;
}

void validate_quantized_model(const QuantizedModel& quantized) {
  const nn::Model& model = quantized.model;
  const std::vector<Shape> shapes = nn::layer_output_shapes(model);
  validate_plan(quantized.plan, model);
  size_t weighted = 0;
  for (const nn::LayerSpec& spec : model.layers) {
    require(spec.kind != nn::LayerKind::batchnorm && spec.kind != nn::LayerKind::dropout,
            "layer '" + spec.name + "' (" + nn::layer_kind_name(spec.kind) +
                ") must be folded away in a quantized model");
    for (const nn::ParameterSpec& p : nn::parameter_specs(spec)) {
      const bool quantized_weight =
          p.name == spec.name + ".weight" &&
          quantized.plan.for_layer(spec.name).weights != WeightFormat::fp32;
      if (quantized_weight) {
        const auto it = quantized.layers.find(spec.name);
        require(it != quantized.layers.end(), p.name + ": the plan quantizes it but it is missing");
        const QuantizedLayer& layer = it->second;
        const LayerPlan& plan = quantized.plan.for_layer(spec.name);
        require(layer.weight.shape == p.shape, p.name + ": shape " +
                                                   layer.weight.shape.to_string() + ", expected " +
                                                   p.shape.to_string());
        const QuantScheme expected = plan.scheme();
        require(layer.weight.scheme.bits == expected.bits &&
                    layer.weight.scheme.symmetric == expected.symmetric &&
                    layer.weight.scheme.granularity == expected.granularity &&
                    layer.weight.scheme.axis == expected.axis &&
                    (expected.granularity != Granularity::per_group ||
                     layer.weight.scheme.group_size == expected.group_size),
                p.name + ": stored as " + layer.weight.scheme.to_string() + " but the plan says " +
                    expected.to_string());
        try {
          validate_quantized(layer.weight);
        } catch (const InvalidArgument& e) {
          throw InvalidArgument(p.name + ": " + e.what());
        }
        require(layer.activations == plan.activations,
                spec.name + ".activations: stored " + activations_name(layer.activations) +
                    " but the plan says " + activations_name(plan.activations));
        if (layer.activations == Activations::int8_static) {
          check_activation_params(spec.name, layer.input_params);
        }
        ++weighted;
        continue;
      }
      const Tensor& tensor = model.parameter(p.name);
      require(tensor.dtype() == DType::f32 && tensor.shape() == p.shape,
              p.name + ": " + dtype_name(tensor.dtype()) + " " + tensor.shape().to_string() +
                  ", expected f32 " + p.shape.to_string());
    }
  }
  require(weighted == quantized.layers.size(),
          "the quantized model holds weights of layers its plan keeps in FP32 or that do not "
          "exist");
}

size_t QuantizedModel::weight_bytes() const {
  size_t bits = 0;
  for (const auto& [name, layer] : layers) bits += layer.weight.total_bits();
  for (const auto& [name, tensor] : model.parameters) bits += 32 * tensor.element_count();
  return (bits + 7) / 8;
}

size_t QuantizedModel::weight_count() const {
  size_t count = 0;
  for (const nn::LayerSpec& spec : model.layers) {
    if (has_weights(spec)) count += nn::parameter_specs(spec)[0].shape.element_count();
  }
  return count;
}

double QuantizedModel::bits_per_weight() const {
  size_t bits = 0;
  for (const nn::LayerSpec& spec : model.layers) {
    if (!has_weights(spec)) continue;
    const auto it = layers.find(spec.name);
    bits += it != layers.end() ? it->second.weight.total_bits()
                               : 32 * model.parameter(spec.name + ".weight").element_count();
  }
  return static_cast<double>(bits) / static_cast<double>(weight_count());
}

}  // namespace quantlab::quantization
