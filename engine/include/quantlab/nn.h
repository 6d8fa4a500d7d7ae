// Layers and the FP32 executor (layer 4).
//
// A Model is data: an input shape, a list of layer specs and named parameter tensors. io
// serializes exactly these three things (parameters by name into safetensors, the specs and the
// input shape into the manifest). The Executor turns a Model into a list of runnable Layers; a
// later stage may swap any Layer for a quantized one without touching the executor.
//
// Conventions: activations are batch-major, NCHW for images ([batch, channels, height, width]) and
// [batch, features] after Flatten or for MLP input. Conv2d weights are [out, in, kh, kw], Linear
// weights [out, in]. Parameter names are "<layer name>.<role>", roles listed in parameter_specs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "quantlab/impl.h"
#include "quantlab/kernels.h"
#include "quantlab/quant.h"
#include "quantlab/tensor.h"

namespace quantlab::nn {

enum class LayerKind : uint8_t {
  linear,     // y = x·Wᵀ + b; params weight [out, in], bias [out]
  conv2d,     // params weight [out, in, k, k], bias [out]; stride, padding
  relu,       // max(x, 0)
  maxpool2d,  // square window `kernel`, step `stride`, no padding
  avgpool2d,  // square window `kernel`, step `stride`, no padding
  flatten,    // [C, H, W] → [C·H·W]
  softmax,    // over the last dimension
  batchnorm,  // per channel (4-D input) or per feature (2-D); params weight, bias,
              // running_mean, running_var; folded into the previous Linear/Conv2d for inference
  dropout,    // training only; identity in the executor
};

const char* layer_kind_name(LayerKind kind);
// Inverse of layer_kind_name; throws InvalidArgument naming the unknown kind.
LayerKind parse_layer_kind(std::string_view name);

// One layer of an architecture. Only the fields of its kind are meaningful.
struct LayerSpec {
  LayerKind kind = LayerKind::relu;
  std::string name;         // unique within the model; prefixes its parameter names
  size_t in_features = 0;   // linear
  size_t out_features = 0;  // linear
  size_t in_channels = 0;   // conv2d
  size_t out_channels = 0;  // conv2d
  size_t kernel = 0;        // conv2d, pools (square)
  size_t stride = 1;        // conv2d, pools
  size_t padding = 0;       // conv2d (zero padding on every side)
  size_t channels = 0;      // batchnorm
  float epsilon = 1e-5f;    // batchnorm
  float momentum = 0.1f;    // batchnorm running-statistics update (PyTorch convention)
  float rate = 0.0f;        // dropout probability of zeroing, [0, 1)

  bool operator==(const LayerSpec& other) const = default;
};

LayerSpec linear(std::string name, size_t in_features, size_t out_features);
LayerSpec conv2d(std::string name, size_t in_channels, size_t out_channels, size_t kernel,
                 size_t stride = 1, size_t padding = 0);
LayerSpec relu(std::string name);
LayerSpec maxpool2d(std::string name, size_t kernel, size_t stride);
LayerSpec avgpool2d(std::string name, size_t kernel, size_t stride);
LayerSpec flatten(std::string name);
LayerSpec softmax(std::string name);
LayerSpec batchnorm(std::string name, size_t channels, float epsilon = 1e-5f);
LayerSpec dropout(std::string name, float rate);

// A parameter a layer owns: its full name and shape (always f32).
struct ParameterSpec {
  std::string name;
  Shape shape;
};
std::vector<ParameterSpec> parameter_specs(const LayerSpec& layer);

// Per-sample output shape of `layer` given its per-sample input shape; throws InvalidArgument
// naming the layer when the input does not fit (wrong rank, channel count, window too large).
Shape output_shape(const LayerSpec& layer, const Shape& input);

struct Model {
  Shape input_shape;  // one sample: [features] or [channels, height, width]
  std::vector<LayerSpec> layers;
  std::map<std::string, Tensor> parameters;  // f32, named per parameter_specs

  // Throws InvalidArgument naming the missing parameter.
  const Tensor& parameter(const std::string& name) const;
  Tensor& parameter(const std::string& name);
};

// Per-sample output shape of every layer, in order. Validates the chain of shapes.
std::vector<Shape> layer_output_shapes(const Model& model);

// Full check: names unique and non-empty, shapes chain, every parameter present with its shape
// and dtype f32, no unexpected parameter. Errors name the layer or tensor.
void validate_model(const Model& model);

// (Re)allocates zero-filled parameters for every layer of model.layers (BatchNorm: weight 1,
// running_var 1).
void allocate_parameters(Model& model);

// Total FP32 parameter count (sizes the 2 MB budget of shipped models).
size_t parameter_count(const Model& model);

// The inference form: each BatchNorm folded into the Linear/Conv2d right before it
// (W' = W·γ/σ, b' = (b − μ)·γ/σ + β with σ = sqrt(var + ε)), Dropout removed. A BatchNorm without
// such a predecessor is an error naming it.
Model fold_for_inference(const Model& model);

// ---- executor -----------------------------------------------------------------------------------

// A runnable layer. `forward` reads a batch-major input [batch, ...input_shape()] of
// input_dtype() and writes the already allocated output [batch, ...output_shape()] of
// output_dtype(), every element of it. Layers of a quantized model pass int8 codes to each other
// (f32 or i8); an i8 output's codes mean real = output_params().scale · (q − zero_point) (Eq. 1).
class Layer {
 public:
  Layer(LayerSpec spec, Shape input_shape, Shape output_shape);
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  const LayerSpec& spec() const { return spec_; }
  const Shape& input_shape() const { return input_shape_; }
  const Shape& output_shape() const { return output_shape_; }
  virtual DType input_dtype() const { return DType::f32; }
  virtual DType output_dtype() const { return DType::f32; }
  // Meaningful only when output_dtype() is i8.
  virtual AffineParams output_params() const { return {}; }
  virtual void forward(const Tensor& input, Tensor& output) const = 0;

 private:
  LayerSpec spec_;
  Shape input_shape_;
  Shape output_shape_;
};

// The FP32 implementation of one layer of an inference-form model (no BatchNorm, no Dropout),
// Linear and Conv2d on kernels::gemm_f32 / conv2d_f32 with weights packed once here.
std::unique_ptr<Layer> make_fp32_layer(const Model& model, size_t index, const Shape& input_shape,
                                       Impl impl = kernels::default_impl());

// Called with every tensor a run produces: point 0 is the input, point i + 1 the output of layer
// i (f32, or i8 codes with that layer's output_params()). Calibration and per-layer error
// measurements watch a run through it.
using RunObserver = std::function<void(size_t point, const Tensor& value)>;

struct RunOptions {
  RunObserver observer;              // may be empty
  bool capture_activations = false;  // keep every layer's output in RunResult::activations
};

struct LayerTiming {
  std::string name;
  LayerKind kind;
  double milliseconds = 0;
};

struct RunResult {
  Tensor output;                     // [batch, ...last layer's output shape]
  std::vector<LayerTiming> timings;  // one per layer, in order
  std::vector<Tensor> activations;   // one per layer when captured, else empty
};

// Builds layer `index` of an inference-form model given its per-sample input shape. Quantized
// models supply their own (quantize.h); names and order of the layers stay the model's.
using LayerFactory =
    std::function<std::unique_ptr<Layer>(const Model& model, size_t index, const Shape& input)>;

class Executor {
 public:
  // Folds the model for inference and builds one FP32 layer per remaining spec.
  explicit Executor(const Model& model, Impl impl = kernels::default_impl());
  // One layer per spec of an inference-form model (no BatchNorm or Dropout) from `factory`. Only
  // the chain of shapes is checked here: a factory looks up the parameters it needs, so a
  // quantized model holds no FP32 weights for its quantized layers. The dtypes must chain: f32
  // into the first layer, each output dtype equal to the next input dtype, f32 out of the last.
  Executor(const Model& inference_model, const LayerFactory& factory);

  const Shape& input_shape() const { return input_shape_; }
  size_t layer_count() const { return layers_.size(); }
  const Layer& layer(size_t index) const;
  // Swaps in another implementation of layer `index` (e.g. a quantized one); its input and
  // output shapes must equal the replaced layer's.
  void replace_layer(size_t index, std::unique_ptr<Layer> layer);

  // input: [batch, ...input_shape()] f32.
  RunResult run(const Tensor& input, const RunOptions& options = {}) const;

 private:
  Shape input_shape_;
  std::vector<std::unique_ptr<Layer>> layers_;
};

// Index of the largest value in each row of a [batch, classes] tensor.
std::vector<int32_t> argmax_rows(const Tensor& scores);

// Network inputs f32 [count, ...model input shape] and their class labels: what training and
// evaluation consume.
struct Examples {
  Tensor inputs;
  std::vector<int32_t> labels;
  size_t size() const { return labels.size(); }
};

// Throws InvalidArgument unless examples fit the model's input (shape, count of labels).
void check_examples(const Shape& input_shape, const Examples& examples);

}  // namespace quantlab::nn
