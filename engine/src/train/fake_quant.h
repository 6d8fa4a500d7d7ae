// Fake-quant modules of quantization-aware training: the quantize→dequantize forward of Eq. 40
// and its gradients — the straight-through estimator with zero gradient outside the clipping
// range (Eqs. 41-42), LSQ's step-size gradient (Eqs. 43-44) with its gradient scale (Eq. 45) and
// LSQ+'s offset gradient (Eq. 46). Equation numbers refer to docs/quantization.md, §15.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "quantlab/calib.h"
#include "quantlab/quant.h"
#include "quantlab/quant_layout.h"
#include "quantlab/quantize.h"
#include "quantlab/tensor.h"

namespace quantlab::train::fq {

// Σ over the values of dL/dx̂ · ∂x̂/∂s and dL/dx̂ · ∂x̂/∂z.
struct QuantizerGrad {
  double scale = 0;
  double offset = 0;
};

// Eq. 40: y = s·(clamp(round_half_to_even(x/s) + z, qmin, qmax) − z), value by value exactly as
// quant's rows quantize (Eq. 4) and dequantize (Eq. 1), so the integer path sees the same grid.
void fake_quantize(const float* x, size_t n, AffineParams p, IntRange r, float* y);

// Given dy = dL/dy of fake_quantize's output, adds mix·dL/dx to dx (if not null) by the
// clipping-aware straight-through estimator (Eq. 41) and returns the sums of Eqs. 43 and 46
// (not multiplied by mix or by the gradient scale).
QuantizerGrad fake_quantize_backward(const float* x, const float* dy, size_t n, AffineParams p,
                                     IntRange r, float mix, float* dx);

// Qp of Eq. 45: the positive levels of the grid, qmax for a symmetric range, qmax − qmin for an
// asymmetric one (its zero point can sit at qmin, as for ReLU outputs).
int32_t positive_levels(IntRange r, bool symmetric);
// LSQ's gradient scale g = 1 / sqrt(N · Qp) (Eq. 45).
float lsq_gradient_scale(size_t n, int32_t positive_levels);

// A parameter vector trained by Adam with a per-element step unit (relative learning rate):
// w -= lr · unit · m̂ / (sqrt(v̂) + ε).
struct LearnedVector {
  std::vector<float> value;
  std::vector<float> grad;
  std::vector<float> unit;
  std::vector<float> m, v;
  size_t steps = 0;

  void resize(size_t n);
  void zero_grad();
  void adam_step(float learning_rate);
};

// Fake quantization of one Linear/Conv2d weight [out, K] by a plan's scheme: per tensor, output
// channel or group, one scale (learned with LSQ) and integer zero point per run.
class WeightQuantizer {
 public:
  WeightQuantizer(const Shape& shape, const QuantScheme& scheme);

  const QuantScheme& scheme() const { return scheme_; }
  const Shape& shape() const { return shape_; }
  size_t parameter_count() const { return scales.value.size(); }
  AffineParams params(size_t p) const;
  IntRange range() const { return range_; }

  // Parameters by the plan's rule (Eqs. 5-7 or Eq. 21) for weights w.
  void choose(std::span<const float> w, calib::WeightRange rule);
  // LSQ's initialization s = 2·mean|w| / sqrt(Qp) per run (Eq. 45 text); zero points 0
  // (symmetric) or as choose() would pick them for the new scale (asymmetric).
  void lsq_init(std::span<const float> w);
  // Scales' Adam step unit: their current values.
  void set_units();

  void forward(const float* w, float* w_hat) const;
  // Adds mix·STE(dw_hat) to dw and mix·g·(Eq. 43) to scales.grad.
  void backward(const float* w, const float* dw_hat, float mix, float* dw);

  // The quantized tensor of w with the current parameters: the same codes forward used.
  QuantizedTensor quantize(std::span<const float> w) const;

  LearnedVector scales;
  std::vector<int32_t> zero_points;

 private:
  Shape shape_;
  QuantScheme scheme_;
  IntRange range_;
  RunLayout layout_;
  std::vector<float> gradient_scale_;  // per parameter, Eq. 45
};

// Fake quantization of a layer's input as its plan's activations say: identity (fp32), one
// static mapping (observed or LSQ/LSQ+-learned), or min-max per sample (dynamic, as the
// integer kernels choose per row / per image).
class InputQuantizer {
 public:
  struct Options {
    quantization::Activations mode = quantization::Activations::fp32;
    int bits = 8;
    bool learned = false;  // LSQ scale + LSQ+ offset
    size_t observer_steps = 0;
    float observer_momentum = 0.01f;
    size_t per_sample = 1;  // elements of one sample
  };
  InputQuantizer(const Options& options, calib::Range initial);

  quantization::Activations mode() const { return options_.mode; }
  AffineParams params() const;  // static mapping
  IntRange range() const { return range_; }

  // training: the observer (if any) sees the batch first, until it is frozen.
  void forward(const Tensor& x, Tensor& y, bool training);
  // Adds mix·dL/dx to dx and, when learned, the LSQ/LSQ+ gradients to scale/offset.
  void backward(const Tensor& x, const Tensor& dy, float mix, Tensor& dx);

  LearnedVector scale;   // one value; static only
  LearnedVector offset;  // one value (the zero point as a real, rounded in forward); static only

 private:
  void set_from_range(float min, float max);

  Options options_;
  IntRange range_;
  calib::Range observed_;
  size_t observed_steps_ = 0;
};

}  // namespace quantlab::train::fq
