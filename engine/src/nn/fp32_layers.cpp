// FP32 implementations of the inference layers. Linear and Conv2d run on the kernels layer with
// their weights packed once at construction; the rest share nn/ops with the trainer.
#include <cstring>

#include "quantlab/error.h"
#include "quantlab/kernels.h"
#include "quantlab/nn.h"
#include "quantlab/nn_ops.h"

namespace quantlab::nn {

namespace {

size_t batch_of(const Tensor& t) { return t.shape()[0]; }

class LinearF32 final : public Layer {
 public:
  LinearF32(const Model& model, const LayerSpec& spec, Shape in, Shape out, Impl impl)
      : Layer(spec, std::move(in), std::move(out)),
        weight_(kernels::pack_f32(model.parameter(spec.name + ".weight").values<float>().data(),
                                  spec.out_features, spec.in_features)),
        bias_(model.parameter(spec.name + ".bias")),
        impl_(impl) {}

  void forward(const Tensor& input, Tensor& output) const override {
    const size_t k = spec().in_features;
    const size_t n = spec().out_features;
    kernels::gemm_f32(batch_of(input), input.values<float>().data(), k, weight_,
                      bias_.values<float>().data(), output.values<float>().data(), n, impl_);
  }

 private:
  kernels::PackedF32 weight_;
  Tensor bias_;
  Impl impl_;
};

class Conv2dF32 final : public Layer {
 public:
  Conv2dF32(const Model& model, const LayerSpec& spec, Shape in, Shape out, Impl impl)
      : Layer(spec, std::move(in), std::move(out)),
        weight_(kernels::pack_f32(model.parameter(spec.name + ".weight").values<float>().data(),
                                  spec.out_channels, spec.in_channels * spec.kernel * spec.kernel)),
        bias_(model.parameter(spec.name + ".bias")),
        impl_(impl) {}

  void forward(const Tensor& input, Tensor& output) const override {
    const kernels::Conv2dShape shape = ops::conv2d_shape(spec(), input_shape(), batch_of(input));
    kernels::conv2d_f32(shape, input.values<float>().data(), weight_, bias_.values<float>().data(),
                        output.values<float>().data(), impl_);
  }

 private:
  kernels::PackedF32 weight_;
  Tensor bias_;
  Impl impl_;
};

class ElementwiseF32 final : public Layer {
 public:
  using Layer::Layer;

  void forward(const Tensor& input, Tensor& output) const override {
    const float* x = input.values<float>().data();
    float* y = output.values<float>().data();
    const size_t n = input.element_count();
    switch (spec().kind) {
      case LayerKind::relu:
        ops::relu(x, n, y);
        return;
      case LayerKind::softmax: {
        const size_t cols = input.shape().dims().back();
        ops::softmax_rows(x, n / cols, cols, y);
        return;
      }
      default:  // flatten: NCHW is already [batch, C·H·W] in memory
        std::memcpy(y, x, n * sizeof(float));
        return;
    }
  }
};

class PoolF32 final : public Layer {
 public:
  using Layer::Layer;

  void forward(const Tensor& input, Tensor& output) const override {
    const ops::PoolGeometry g = ops::pool_geometry(spec(), input_shape(), batch_of(input));
    const float* x = input.values<float>().data();
    float* y = output.values<float>().data();
    if (spec().kind == LayerKind::maxpool2d) {
      ops::maxpool2d(g, x, y, nullptr);
    } else {
      ops::avgpool2d(g, x, y);
    }
  }
};

}  // namespace

Layer::Layer(LayerSpec spec, Shape input_shape, Shape output_shape)
    : spec_(std::move(spec)),
      input_shape_(std::move(input_shape)),
      output_shape_(std::move(output_shape)) {}

std::unique_ptr<Layer> make_fp32_layer(const Model& model, size_t index, const Shape& input_shape,
                                       Impl impl) {
  require(index < model.layers.size(), "layer index " + std::to_string(index) + " is out of range");
  const LayerSpec& spec = model.layers[index];
  Shape out = output_shape(spec, input_shape);
  switch (spec.kind) {
    case LayerKind::linear:
      return std::make_unique<LinearF32>(model, spec, input_shape, out, impl);
    case LayerKind::conv2d:
      return std::make_unique<Conv2dF32>(model, spec, input_shape, out, impl);
    case LayerKind::relu:
    case LayerKind::softmax:
    case LayerKind::flatten:
      return std::make_unique<ElementwiseF32>(spec, input_shape, out);
    case LayerKind::maxpool2d:
    case LayerKind::avgpool2d:
      return std::make_unique<PoolF32>(spec, input_shape, out);
    case LayerKind::batchnorm:
    case LayerKind::dropout:
      break;
  }
  throw InvalidArgument("layer '" + spec.name + "' (" + layer_kind_name(spec.kind) +
                        ") has no inference implementation; fold the model first");
}

}  // namespace quantlab::nn
