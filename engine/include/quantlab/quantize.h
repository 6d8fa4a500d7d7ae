// Whole-model quantization (layer 6): a plan says, per Linear/Conv2d layer, how its weights and
// activations are quantized; calibration watches the FP32 model on a calibration set; the result
// is a QuantizedModel (data: codes, scales, zero points, activation parameters) that runs on the
// integer kernels, or, as a cross-check and for QAT, on the simulated (fake-quant) path.
// Equation numbers refer to docs/quantization.md.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "quantlab/calib.h"
#include "quantlab/impl.h"
#include "quantlab/kernels.h"
#include "quantlab/nn.h"
#include "quantlab/quant.h"

namespace quantlab::quantization {

// ---- plans --------------------------------------------------------------------------------------

enum class WeightFormat : uint8_t { fp32, int8, int4 };
enum class Activations : uint8_t {
  fp32,          // float activations: weight-only quantization (INT4 only: W4A32)
  int8_static,   // int8 with calibrated parameters; consecutive static layers pass int8 codes
  int8_dynamic,  // int8 with parameters chosen per row (per image for conv) at run time
};

// How the weights' codes are chosen: round-to-nearest on each value independently (Eq. 4), or
// GPTQ, column by column with the rounding error of each column pushed onto the columns not yet
// quantized (Eqs. 22-25).
enum class WeightMethod : uint8_t { rtn, gptq };

const char* weight_format_name(WeightFormat format);
const char* weight_method_name(WeightMethod method);  // "rtn", "gptq"
WeightMethod parse_weight_method(const std::string& name);
const char* activations_name(Activations activations);  // "fp32", "int8-static", "int8-dynamic"
WeightFormat parse_weight_format(const std::string& name);
Activations parse_activations(const std::string& name);
kernels::ActivationFormat activation_format(Activations activations);

// How one Linear/Conv2d layer is quantized. Fields other than `weights` matter only when weights
// are quantized.
struct LayerPlan {
  WeightFormat weights = WeightFormat::fp32;
  Granularity granularity = Granularity::per_channel;  // per_tensor | per_channel | per_group
  size_t group_size = 32;                              // per_group: values per group along K
  bool symmetric = true;
  Activations activations = Activations::fp32;
  calib::WeightRange weight_range = calib::WeightRange::minmax;
  WeightMethod method = WeightMethod::rtn;
  double gptq_damp = 0.01;      // gptq: λ = gptq_damp · mean(diag H) (Eq. 23), in (0, 1]
  bool gptq_act_order = false;  // gptq: columns in order of descending diag H
  // Subtract the mean output shift the weight quantization causes on the calibration set from
  // the bias (Eq. 26).
  bool bias_correction = false;

  // Whether quantize_model needs the statistics of this layer's input (Calibration::inputs).
  bool needs_input_statistics() const;
  bool needs_hessian() const;

  // The weight scheme (axis 0: output channels; groups along the reduction dimension).
  QuantScheme scheme() const;
  bool operator==(const LayerPlan& other) const = default;
};

struct Plan {
  std::string name;
  LayerPlan defaults;                       // every Linear/Conv2d not named below
  std::map<std::string, LayerPlan> layers;  // by layer name, complete (defaults already merged)

  const LayerPlan& for_layer(const std::string& layer) const;
  bool operator==(const Plan& other) const = default;
};

// The named presets: fp32, int8 (W8A8 static, symmetric per-channel weights), int8-dynamic,
// int4-g32 (weight-only, asymmetric groups of 32 with MSE-clipped ranges), int4-tensor (the same
// with one scale and zero point per tensor), w4a8 (int4-g32 weights, dynamic int8 activations).
const std::vector<std::string>& preset_names();
Plan preset(const std::string& name);  // throws InvalidArgument listing the names

// Rejects, before any work, a plan the model and the kernels cannot run; the error names the
// layer and the field ("conv2.weights: group size 40 — the INT4 kernels need a multiple of 8").
// `model` is in inference form (nn::fold_for_inference).
void validate_plan(const Plan& plan, const nn::Model& model);

// ---- calibration --------------------------------------------------------------------------------

struct CalibrationOptions {
  calib::ObserverOptions observer;
  size_t samples = 512;  // examples taken from the front of the calibration set
  size_t batch_size = 256;
};

// What GPTQ and bias correction need of a layer's input x, a row of the layer's matrix view
// (Linear: the input vector; Conv2d: one im2col patch, (channel, ky, kx) order like the weight,
// padding included as zeros), over every row the calibration set produces.
struct InputStatistics {
  size_t rows = 0;
  std::vector<double> mean;     // K: mean of x
  std::vector<double> hessian;  // K×K row-major: H = 2·XᵀX / rows (Eq. 22); empty unless GPTQ
};

// The activation range observed at the input of each layer the plan quantizes statically, and
// the input statistics of each layer whose plan uses GPTQ or bias correction.
struct Calibration {
  calib::ObserverOptions observer;
  size_t samples = 0;
  std::map<std::string, calib::Range> input_ranges;  // by layer name
  std::map<std::string, InputStatistics> inputs;     // by layer name; not stored in files
};

// Called between batches with (examples done, examples in all); return false to stop (the
// function then throws Cancelled, error.h).
using Progress = std::function<bool(size_t done, size_t total)>;

// Runs the FP32 model over `inputs` [count, ...input shape] (a calibration set drawn from the
// training split) and observes the input of every statically quantized layer of `plan`; for
// layers planned with GPTQ or bias correction it also gathers their InputStatistics.
Calibration calibrate(const nn::Model& model, const Plan& plan, const Tensor& inputs,
                      const CalibrationOptions& options, const Progress& progress = {});

// ---- activation histograms (the lab's Layers and Calibration views) ---------------------------

// One observer's choice for a layer's input: its 8-bit asymmetric range (what calibrate uses for
// an int8-static layer), the fraction of the observed values it clips (Eq. 50) and the KL
// divergence of the quantized distribution from the observed one (Eq. 51).
struct ObserverChoice {
  calib::Method method;
  calib::Range range;
  double clipped_fraction = 0;
  double kl = 0;
};

// The input of one Linear/Conv2d layer over the calibration images.
struct LayerActivations {
  std::string layer;
  calib::ValueHistogram histogram;     // of the input values (§11.1)
  std::vector<ObserverChoice> ranges;  // every calib::Method, in enum order
};

// Runs the FP32 model over the first options.samples `inputs` (as calibrate does) with every
// observer method on every Linear/Conv2d input at once (options.observer sets percentile and
// bins). Work is linear in the inputs, memory fixed per layer.
std::vector<LayerActivations> activation_histograms(const nn::Model& model, const Tensor& inputs,
                                                    const CalibrationOptions& options,
                                                    const Progress& progress = {});

// ---- GPTQ ---------------------------------------------------------------------------------------

struct GptqOptions {
  double damp = 0.01;
  bool act_order = false;
};

// GPTQ (Frantar et al. 2022, Algorithm 1 without lazy batching; Eqs. 22-25) of a weight of
// `shape` (matrix view [N, K]) given the Hessian H (K×K, row-major) of its input. Scales: per
// tensor and per channel from the whole weight before any update; per group, each group's from
// the updated weights when the first column of the group is reached, or, with act_order, every
// group's from the original weights up front (the reference's static groups), so that groups
// stay runs of consecutive columns of the stored layout. `range` chooses each scale (min-max or
// Eq. 21). Deterministic; throws InvalidArgument if H is not K×K or not positive definite after
// damping.
QuantizedTensor gptq_quantize(std::span<const float> weight, const Shape& shape,
                              const QuantScheme& scheme, calib::WeightRange range,
                              std::span<const double> hessian, const GptqOptions& options);

// ---- quantized models ---------------------------------------------------------------------------

// A Linear/Conv2d layer whose weights are quantized.
struct QuantizedLayer {
  QuantizedTensor weight;  // quant's format; shape of the FP32 weight
  Activations activations = Activations::fp32;
  AffineParams input_params;  // int8_static: the calibrated mapping of the layer's input
};

struct QuantizedModel {
  // Inference form (folded). Parameters: every bias, and the FP32 weights of the layers the plan
  // keeps in FP32; quantized layers' weights live in `layers` only.
  nn::Model model;
  Plan plan;
  Calibration calibration;
  std::map<std::string, QuantizedLayer> layers;  // by layer name

  // Bytes of everything inference needs: codes, scales and zero points counted as Eq. 10 does,
  // plus FP32 parameters at 4 bytes each.
  size_t weight_bytes() const;
  // Weights (of Linear/Conv2d layers) counted and their bits, Eq. 10 summed over layers: FP32
  // weights count 32 bits each; biases are not weights.
  size_t weight_count() const;
  double bits_per_weight() const;
};

// Folds `model`, validates the plan and quantizes every planned weight (min-max or MSE ranges,
// RTN or GPTQ per the plan, then bias correction where asked); static layers take their input
// parameters from `calibration` (Eqs. 5-7 on the observed range, asymmetric int8). GPTQ and bias
// correction read Calibration::inputs, so the calibration must come from calibrate() with this
// plan (or one asking for the same statistics).
QuantizedModel quantize_model(const nn::Model& model, const Plan& plan,
                              const Calibration& calibration);

// Checks a QuantizedModel built elsewhere (e.g. read from a file): the plan against the model,
// each quantized weight's shape, scheme and parameter counts, and the activation parameters.
// Errors name the layer and the field.
void validate_quantized_model(const QuantizedModel& quantized);

enum class Execution : uint8_t {
  integer,    // packed int8/int4 kernels, exact int32 accumulation, int8 codes between layers
  simulated,  // fake quantization: dequantized weights and quantize-dequantize of activations in
              // float, with the integer path's parameters (the QAT forward pass)
};

// An executor for `quantized`; layers the plan keeps in FP32 run the FP32 kernels.
nn::Executor make_executor(const QuantizedModel& quantized,
                           Execution execution = Execution::integer,
                           Impl impl = kernels::default_impl());

}  // namespace quantlab::quantization
