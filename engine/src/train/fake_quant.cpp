// Fake-quant forward and backward (Eqs. 40-46) for weights and layer inputs.
#include "train/fake_quant.h"

#include <algorithm>
#include <cmath>

#include "quantlab/error.h"
#include "quantlab/quant_values.h"

namespace quantlab::train::fq {

void fake_quantize(const float* x, size_t n, AffineParams p, IntRange r, float* y) {
  for (size_t i = 0; i < n; ++i) y[i] = dequantize_value(quantize_value(x[i], p, r), p);
}

QuantizerGrad fake_quantize_backward(const float* x, const float* dy, size_t n, AffineParams p,
                                     IntRange r, float mix, float* dx) {
  QuantizerGrad grad;
  const float qmin = static_cast<float>(r.qmin);
  const float qmax = static_cast<float>(r.qmax);
  const float z = static_cast<float>(p.zero_point);
  for (size_t i = 0; i < n; ++i) {
    const float v = x[i] / p.scale;
    const float rounded = round_half_to_even(v);
    const float q = rounded + z;
    if (q < qmin) {  // clamped low: x̂ = s·(qmin − z)
      grad.scale += static_cast<double>(dy[i]) * (qmin - z);
      grad.offset -= static_cast<double>(dy[i]) * p.scale;
    } else if (q > qmax) {  // clamped high
      grad.scale += static_cast<double>(dy[i]) * (qmax - z);
      grad.offset -= static_cast<double>(dy[i]) * p.scale;
    } else {  // inside: STE passes the gradient (Eq. 41), LSQ's −x/s + round(x/s) (Eq. 43)
      if (dx != nullptr) dx[i] += mix * dy[i];
      grad.scale += static_cast<double>(dy[i]) * (rounded - v);
    }
  }
  return grad;
}

int32_t positive_levels(IntRange r, bool symmetric) { return symmetric ? r.qmax : r.qmax - r.qmin; }

float lsq_gradient_scale(size_t n, int32_t positive_levels) {
  return 1.0f / std::sqrt(static_cast<float>(n) * static_cast<float>(positive_levels));
}

// ---- LearnedVector ------------------------------------------------------------------------------

void LearnedVector::resize(size_t n) {
  value.assign(n, 0.0f);
  grad.assign(n, 0.0f);
  unit.assign(n, 1.0f);
  m.assign(n, 0.0f);
  v.assign(n, 0.0f);
}

void LearnedVector::zero_grad() { std::fill(grad.begin(), grad.end(), 0.0f); }

void LearnedVector::adam_step(float learning_rate) {
  constexpr float kBeta1 = 0.9f, kBeta2 = 0.999f, kEpsilon = 1e-8f;
  ++steps;
  const float bias1 = 1.0f - std::pow(kBeta1, static_cast<float>(steps));
  const float bias2 = 1.0f - std::pow(kBeta2, static_cast<float>(steps));
  for (size_t i = 0; i < value.size(); ++i) {
    m[i] = kBeta1 * m[i] + (1 - kBeta1) * grad[i];
    v[i] = kBeta2 * v[i] + (1 - kBeta2) * grad[i] * grad[i];
    value[i] -= learning_rate * unit[i] * (m[i] / bias1) / (std::sqrt(v[i] / bias2) + kEpsilon);
  }
}

// ---- weights ------------------------------------------------------------------------------------

WeightQuantizer::WeightQuantizer(const Shape& shape, const QuantScheme& scheme)
    : shape_(shape),
      scheme_(scheme),
      range_(int_range(scheme.bits, scheme.symmetric)),
      layout_(shape, scheme) {
  validate_scheme(scheme, shape);
  const size_t count = layout_.parameter_count();
  scales.resize(count);
  zero_points.assign(count, 0);
  std::vector<size_t> sizes(count, 0);
  layout_.for_each_run([&](const Run& run) { sizes[run.param] += run.length; });
  const int32_t qp = positive_levels(range_, scheme.symmetric);
  for (size_t n : sizes) gradient_scale_.push_back(lsq_gradient_scale(n, qp));
}

AffineParams WeightQuantizer::params(size_t p) const { return {scales.value[p], zero_points[p]}; }

void WeightQuantizer::choose(std::span<const float> w, calib::WeightRange rule) {
  const calib::WeightParams chosen = calib::choose_weight_params(w, shape_, scheme_, rule);
  scales.value = chosen.scales;
  zero_points = chosen.zero_points;
}

void WeightQuantizer::lsq_init(std::span<const float> w) {
  std::vector<double> sum(parameter_count(), 0.0);
  std::vector<size_t> count(parameter_count(), 0);
  layout_.for_each_run([&](const Run& run) {
    for (size_t i = 0; i < run.length; ++i) sum[run.param] += std::fabs(w[run.offset + i]);
    count[run.param] += run.length;
  });
  const std::vector<FloatRange> ranges = param_ranges(w, shape_, scheme_);
  const double root_qp = std::sqrt(static_cast<double>(positive_levels(range_, scheme_.symmetric)));
  for (size_t p = 0; p < parameter_count(); ++p) {
    const double mean = sum[p] / static_cast<double>(count[p]);
    scales.value[p] = std::max(static_cast<float>(2.0 * mean / root_qp), 1e-8f);
    if (!scheme_.symmetric) {
      // Eq. 7 for the new scale: the range's minimum at qmin, clamped to the grid.
      const float z = round_half_to_even(static_cast<float>(range_.qmin) -
                                         std::min(ranges[p].min, 0.0f) / scales.value[p]);
      zero_points[p] = static_cast<int32_t>(
          std::clamp(z, static_cast<float>(range_.qmin), static_cast<float>(range_.qmax)));
    }
  }
}

void WeightQuantizer::set_units() { scales.unit = scales.value; }

void WeightQuantizer::forward(const float* w, float* w_hat) const {
  layout_.for_each_run([&](const Run& run) {
    fake_quantize(w + run.offset, run.length, params(run.param), range_, w_hat + run.offset);
  });
}

void WeightQuantizer::backward(const float* w, const float* dw_hat, float mix, float* dw) {
  layout_.for_each_run([&](const Run& run) {
    const QuantizerGrad g = fake_quantize_backward(w + run.offset, dw_hat + run.offset, run.length,
                                                   params(run.param), range_, mix, dw + run.offset);
    scales.grad[run.param] += mix * gradient_scale_[run.param] * static_cast<float>(g.scale);
  });
}

QuantizedTensor WeightQuantizer::quantize(std::span<const float> w) const {
  return quantize_with_params(w, shape_, scheme_, scales.value, zero_points);
}

// ---- inputs -------------------------------------------------------------------------------------

InputQuantizer::InputQuantizer(const Options& options, calib::Range initial)
    : options_(options), range_(int_range(options.bits, false)), observed_(initial) {
  scale.resize(1);
  offset.resize(1);
  set_from_range(initial.min, initial.max);
  scale.unit[0] = scale.value[0];
  offset.unit[0] = static_cast<float>(range_.qmax - range_.qmin);
}

void InputQuantizer::set_from_range(float min, float max) {
  const AffineParams p = choose_params_minmax(min, max, options_.bits, false);
  scale.value[0] = p.scale;
  offset.value[0] = static_cast<float>(p.zero_point);
}

AffineParams InputQuantizer::params() const {
  const float z = std::clamp(round_half_to_even(offset.value[0]), static_cast<float>(range_.qmin),
                             static_cast<float>(range_.qmax));
  return {std::max(scale.value[0], 1e-12f), static_cast<int32_t>(z)};
}

void InputQuantizer::forward(const Tensor& x, Tensor& y, bool training) {
  const auto in = x.values<float>();
  auto out = y.values<float>();
  switch (options_.mode) {
    case quantization::Activations::fp32:
      std::copy(in.begin(), in.end(), out.begin());
      return;
    case quantization::Activations::int8_dynamic:
      for (size_t offset = 0; offset < in.size(); offset += options_.per_sample) {
        const auto sample = in.subspan(offset, options_.per_sample);
        const AffineParams p = choose_params_dynamic(sample, 8, false, "layer input");
        fake_quantize(sample.data(), sample.size(), p, range_, out.data() + offset);
      }
      return;
    case quantization::Activations::int8_static:
      break;
  }
  if (training && !options_.learned && observed_steps_ < options_.observer_steps) {
    // Eq. 17: moving-average min-max, started from the calibration's range.
    const FloatRange batch = float_range(in);
    const float c = options_.observer_momentum;
    observed_.min += c * (batch.min - observed_.min);
    observed_.max += c * (batch.max - observed_.max);
    set_from_range(observed_.min, observed_.max);
    ++observed_steps_;
  }
  fake_quantize(in.data(), in.size(), params(), range_, out.data());
}

void InputQuantizer::backward(const Tensor& x, const Tensor& dy, float mix, Tensor& dx) {
  const auto in = x.values<float>();
  const auto grad = dy.values<float>();
  auto out = dx.values<float>();
  if (options_.mode != quantization::Activations::int8_static) {
    // fp32: identity; dynamic: the per-sample min-max range never clips, so the STE passes all.
    for (size_t i = 0; i < out.size(); ++i) out[i] += mix * grad[i];
    return;
  }
  const QuantizerGrad g =
      fake_quantize_backward(in.data(), grad.data(), in.size(), params(), range_, mix, out.data());
  if (!options_.learned) return;
  const float gscale = lsq_gradient_scale(options_.per_sample, positive_levels(range_, false));
  scale.grad[0] += mix * gscale * static_cast<float>(g.scale);
  offset.grad[0] += mix * gscale * static_cast<float>(g.offset);
}

}  // namespace quantlab::train::fq
