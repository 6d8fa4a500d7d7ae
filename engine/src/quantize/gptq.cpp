// GPTQ (Frantar et al. 2022, Algorithm 1; docs/quantization.md §12, Eqs. 22-25), computed in
// double precision so that the result does not depend on summation order beyond the last bits.
// Lazy batch updates (block size 128) only reorder the same updates for GPU memory traffic; at
// these layer sizes the plain column loop is as fast, so it is not done.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "quantlab/error.h"
#include "quantlab/quant_layout.h"
#include "quantlab/quant_values.h"
#include "quantlab/quantize.h"

namespace quantlab::quantization {
namespace {

using Matrix = std::vector<double>;  // n×n, row-major

// In place: the lower Cholesky factor L of a symmetric positive definite A (A = L·Lᵀ).
void cholesky_lower(Matrix& a, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    double* ai = a.data() + i * n;
    for (size_t j = 0; j <= i; ++j) {
      const double* aj = a.data() + j * n;
      double s = ai[j];
      for (size_t k = 0; k < j; ++k) s -= ai[k] * aj[k];
      if (i == j) {
        require(s > 0 && std::isfinite(s),
                "gptq: the damped Hessian is not positive definite (column " + std::to_string(i) +
                    "); raise gptq_damp");
        ai[i] = std::sqrt(s);
      } else {
        ai[j] = s / aj[j];
      }
    }
    std::fill(ai + i + 1, ai + n, 0.0);
  }
}

// A⁻¹ = L⁻ᵀ·L⁻¹ from A's lower Cholesky factor L.
Matrix inverse_from_cholesky(const Matrix& l, size_t n) {
  Matrix m(n * n, 0.0);  // L⁻¹, lower triangular, built row by row
  for (size_t i = 0; i < n; ++i) {
    double* mi = m.data() + i * n;
    for (size_t k = 0; k < i; ++k) {
      const double lik = l[i * n + k];
      if (lik == 0.0) continue;
      const double* mk = m.data() + k * n;
      for (size_t j = 0; j <= k; ++j) mi[j] -= lik * mk[j];
    }
    const double d = l[i * n + i];
    for (size_t j = 0; j < i; ++j) mi[j] /= d;
    mi[i] = 1.0 / d;
  }
  Matrix inv(n * n, 0.0);
  for (size_t k = 0; k < n; ++k) {
    const double* mk = m.data() + k * n;
    for (size_t i = 0; i <= k; ++i) {
      const double mki = mk[i];
      double* row = inv.data() + i * n;
      for (size_t j = i; j <= k; ++j) row[j] += mki * mk[j];
    }
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < i; ++j) inv[i * n + j] = inv[j * n + i];
  }
  return inv;
}

// Eq. 24: the upper Cholesky factor U of H⁻¹ (H⁻¹ = Uᵀ·U).
Matrix upper_cholesky_of_inverse(Matrix h, size_t n) {
  cholesky_lower(h, n);
  Matrix inv = inverse_from_cholesky(h, n);
  cholesky_lower(inv, n);
  Matrix u(n * n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i; j < n; ++j) u[i * n + j] = inv[j * n + i];
  }
  return u;
}

// The scheme that gives every row of an [N, len] block its own parameters.
QuantScheme per_row(QuantScheme scheme) {
  scheme.granularity = Granularity::per_channel;
  scheme.axis = 0;
  return scheme;
}

}  // namespace

QuantizedTensor gptq_quantize(std::span<const float> weight, const Shape& shape,
                              const QuantScheme& scheme, calib::WeightRange range,
                              std::span<const double> hessian, const GptqOptions& options) {
  validate_scheme(scheme, shape);
  require_finite(weight, "gptq weights");
  const size_t n = shape.rows();
  const size_t k = shape.element_count() / n;
  require(weight.size() == n * k, "gptq: the weight has " + std::to_string(weight.size()) +
                                      " values, its shape " + shape.to_string() + " needs " +
                                      std::to_string(n * k));
  require(hessian.size() == k * k, "gptq: the Hessian has " + std::to_string(hessian.size()) +
                                       " values, a layer with K = " + std::to_string(k) +
                                       " needs K² = " + std::to_string(k * k));
  require(std::isfinite(options.damp) && options.damp > 0 && options.damp <= 1,
          "gptq: damp must be in (0, 1], got " + std::to_string(options.damp));

  // Inputs that were always zero on the calibration set get H_ii = 1, as the reference does, so
  // H stays invertible; unlike the reference their weights are kept (not zeroed), so an input
  // that is non-zero later still sees the RTN-quantized weight.
  Matrix h(hessian.begin(), hessian.end());
  for (size_t i = 0; i < k; ++i) {
    if (h[i * k + i] == 0.0) h[i * k + i] = 1.0;
  }
  std::vector<size_t> order(k);
  std::iota(order.begin(), order.end(), size_t{0});
  if (options.act_order) {
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return h[a * k + a] > h[b * k + b]; });
  }
  Matrix hp(k * k);  // H with rows and columns in quantization order
  double trace = 0;
  for (size_t i = 0; i < k; ++i) {
    for (size_t j = 0; j < k; ++j) hp[i * k + j] = h[order[i] * k + order[j]];
    trace += hp[i * k + i];
  }
  const double lambda = options.damp * trace / static_cast<double>(k);  // Eq. 23
  for (size_t i = 0; i < k; ++i) hp[i * k + i] += lambda;
  const Matrix u = upper_cholesky_of_inverse(std::move(hp), k);

  Matrix w(n * k);  // the weights being updated, columns in quantization order
  for (size_t r = 0; r < n; ++r) {
    for (size_t i = 0; i < k; ++i) w[r * k + i] = weight[r * k + order[i]];
  }

  const RunLayout layout(shape, scheme);
  std::vector<AffineParams> params(layout.parameter_count());
  const auto set_params = [&](const calib::WeightParams& chosen, auto index_of) {
    for (size_t p = 0; p < chosen.scales.size(); ++p) {
      params[index_of(p)] = {chosen.scales[p], chosen.zero_points[p]};
    }
  };
  const bool dynamic_groups = scheme.granularity == Granularity::per_group && !options.act_order;
  if (!dynamic_groups) {
    set_params(calib::choose_weight_params(weight, shape, scheme, range),
               [](size_t p) { return p; });
  }

  const IntRange ints = int_range(scheme.bits, scheme.symmetric);
  std::vector<float> result(n * k);
  for (size_t i = 0; i < k; ++i) {
    if (dynamic_groups && i % scheme.group_size == 0) {
      const size_t len = std::min(scheme.group_size, k - i);
      std::vector<float> block(n * len);
      for (size_t r = 0; r < n; ++r) {
        for (size_t c = 0; c < len; ++c) block[r * len + c] = static_cast<float>(w[r * k + i + c]);
      }
      set_params(calib::choose_weight_params(block, Shape{n, len}, per_row(scheme), range),
                 [&](size_t r) { return layout.param_index(r * k + i); });
    }
    const double* ui = u.data() + i * k;
    for (size_t r = 0; r < n; ++r) {
      double* wr = w.data() + r * k;
      const AffineParams p = params[layout.param_index(r * k + order[i])];
      const float q = dequantize_value(quantize_value(static_cast<float>(wr[i]), p, ints), p);
      result[r * k + order[i]] = q;
      const double err = (wr[i] - q) / ui[i];  // Eq. 25
      for (size_t j = i + 1; j < k; ++j) wr[j] -= err * ui[j];
    }
  }

  std::vector<float> scales(params.size());
  std::vector<int32_t> zero_points(params.size());
  for (size_t p = 0; p < params.size(); ++p) {
    scales[p] = params[p].scale;
    zero_points[p] = params[p].zero_point;
  }
  // The values are points of their grids, so quantizing them again gives back the same codes.
  return quantize_with_params(result, shape, scheme, scales, zero_points);
}

}  // namespace quantlab::quantization
