// GPTQ against a direct implementation of the paper's update (the OBS step with an explicit
// inverse Hessian, Frantar et al. 2022, Eqs. 2-3), its layer-output error against round-to-nearest
// on seeded and shipped layers, and bias correction.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>

#include "quantize/methods.h"
#include "quantlab/error.h"
#include "quantlab/io.h"
#include "quantlab/quant_layout.h"
#include "quantlab/quant_values.h"
#include "quantlab/quantize.h"
#include "shipped_data.h"

namespace quantlab::quantization {
namespace {

struct Layer {
  size_t n, k;
  std::vector<float> w;
  std::vector<double> h;  // 2·XᵀX/rows
};

// A seeded layer whose inputs are correlated (x = A·z), as real activations are.
Layer seeded_layer(unsigned seed, size_t n, size_t k, size_t rows = 256) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Layer layer{n, k, std::vector<float>(n * k), std::vector<double>(k * k, 0.0)};
  for (float& v : layer.w) v = 0.1f * normal(rng);
  std::vector<float> mix(k * k);
  for (float& v : mix) v = normal(rng) / std::sqrt(static_cast<float>(k));
  std::vector<double> x(k);
  for (size_t r = 0; r < rows; ++r) {
    std::vector<float> z(k);
    for (float& v : z) v = normal(rng);
    for (size_t i = 0; i < k; ++i) {
      x[i] = z[i];
      for (size_t j = 0; j < k; ++j) x[i] += mix[i * k + j] * z[j];
    }
    for (size_t i = 0; i < k; ++i) {
      for (size_t j = 0; j < k; ++j) layer.h[i * k + j] += 2.0 * x[i] * x[j] / rows;
    }
  }
  return layer;
}

// Gauss-Jordan inverse with partial pivoting, independent of the engine's Cholesky route.
std::vector<double> inverse(std::vector<double> a, size_t n) {
  std::vector<double> inv(n * n, 0.0);
  for (size_t i = 0; i < n; ++i) inv[i * n + i] = 1.0;
  for (size_t c = 0; c < n; ++c) {
    size_t pivot = c;
    for (size_t r = c + 1; r < n; ++r) {
      if (std::abs(a[r * n + c]) > std::abs(a[pivot * n + c])) pivot = r;
    }
    for (size_t j = 0; j < n; ++j) {
      std::swap(a[c * n + j], a[pivot * n + j]);
      std::swap(inv[c * n + j], inv[pivot * n + j]);
    }
    const double d = a[c * n + c];
    for (size_t j = 0; j < n; ++j) {
      a[c * n + j] /= d;
      inv[c * n + j] /= d;
    }
    for (size_t r = 0; r < n; ++r) {
      if (r == c) continue;
      const double f = a[r * n + c];
      for (size_t j = 0; j < n; ++j) {
        a[r * n + j] -= f * a[c * n + j];
        inv[r * n + j] -= f * inv[c * n + j];
      }
    }
  }
  return inv;
}

// The paper's update taken literally: quantize column q, move the other weights by
// δ = −(w_q − quant(w_q)) / [H⁻¹]_qq · H⁻¹_{:,q} (Eq. 2), then remove q from H⁻¹ by one step of
// Gaussian elimination (Eq. 3). Same damping, column order and scale rule as gptq_quantize.
std::vector<float> direct_gptq(const Layer& layer, const QuantScheme& scheme,
                               const GptqOptions& options) {
  const size_t n = layer.n, k = layer.k;
  std::vector<double> h = layer.h;
  for (size_t i = 0; i < k; ++i) {
    if (h[i * k + i] == 0) h[i * k + i] = 1;
  }
  std::vector<size_t> order(k);
  std::iota(order.begin(), order.end(), size_t{0});
  if (options.act_order) {
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return h[a * k + a] > h[b * k + b]; });
  }
  double mean_diag = 0;
  for (size_t i = 0; i < k; ++i) mean_diag += h[i * k + i] / k;
  for (size_t i = 0; i < k; ++i) h[i * k + i] += options.damp * mean_diag;
  std::vector<double> hinv = inverse(h, k);  // original column order throughout
  std::vector<double> w(layer.w.begin(), layer.w.end());
  const Shape shape{n, k};
  const RunLayout layout(shape, scheme);
  const IntRange ints = int_range(scheme.bits, scheme.symmetric);
  const auto params_of = [&](const std::vector<float>& values, const Shape& s,
                             const QuantScheme& sch) {
    return calib::choose_weight_params(values, s, sch, calib::WeightRange::minmax);
  };
  calib::WeightParams params = params_of(layer.w, shape, scheme);
  std::vector<float> result(n * k);
  for (size_t step = 0; step < k; ++step) {
    const size_t q = order[step];
    const bool fresh_group = scheme.granularity == Granularity::per_group && !options.act_order &&
                             q % scheme.group_size == 0;
    if (fresh_group) {
      const size_t len = std::min(scheme.group_size, k - q);
      std::vector<float> block;
      for (size_t r = 0; r < n; ++r) {
        for (size_t c = 0; c < len; ++c) block.push_back(static_cast<float>(w[r * k + q + c]));
      }
      QuantScheme rows = scheme;
      rows.granularity = Granularity::per_channel;
      const calib::WeightParams group = params_of(block, Shape{n, len}, rows);
      for (size_t r = 0; r < n; ++r) {
        params.scales[layout.param_index(r * k + q)] = group.scales[r];
        params.zero_points[layout.param_index(r * k + q)] = group.zero_points[r];
      }
    }
    for (size_t r = 0; r < n; ++r) {
      const size_t p = layout.param_index(r * k + q);
      const AffineParams ap{params.scales[p], params.zero_points[p]};
      const float value =
          dequantize_value(quantize_value(static_cast<float>(w[r * k + q]), ap, ints), ap);
      result[r * k + q] = value;
      const double ratio = (w[r * k + q] - value) / hinv[q * k + q];
      for (size_t j = 0; j < k; ++j) w[r * k + j] -= ratio * hinv[j * k + q];
    }
    const std::vector<double> column = [&] {
      std::vector<double> c(k);
      for (size_t j = 0; j < k; ++j) c[j] = hinv[j * k + q];
      return c;
    }();
    const double d = hinv[q * k + q];
    for (size_t i = 0; i < k; ++i) {
      for (size_t j = 0; j < k; ++j) hinv[i * k + j] -= column[i] * column[j] / d;
    }
  }
  return result;
}

QuantScheme scheme(int bits, bool symmetric, Granularity granularity, size_t group = 32) {
  QuantScheme s;
  s.bits = bits;
  s.symmetric = symmetric;
  s.granularity = granularity;
  s.group_size = group;
  return s;
}

// Σ over the calibration rows of ‖(Ŵ − W)·x‖², up to the factor rows/2: Σ_o δ_o·H·δ_oᵀ.
double output_error(const std::vector<float>& w, const std::vector<float>& approx,
                    const std::vector<double>& h, size_t n, size_t k) {
  double total = 0;
  for (size_t o = 0; o < n; ++o) {
    for (size_t i = 0; i < k; ++i) {
      const double di = static_cast<double>(approx[o * k + i]) - w[o * k + i];
      if (di == 0) continue;
      for (size_t j = 0; j < k; ++j) {
        total += di * h[i * k + j] * (static_cast<double>(approx[o * k + j]) - w[o * k + j]);
      }
    }
  }
  return total;
}

std::vector<float> rtn(const std::vector<float>& w, const Shape& shape, const QuantScheme& s) {
  return dequantize(quantize(w, shape, s));
}

const std::vector<QuantScheme>& schemes() {
  using enum Granularity;
  static const std::vector<QuantScheme> all = {
      scheme(4, true, per_channel),   scheme(4, false, per_channel),
      scheme(4, true, per_tensor),    scheme(4, false, per_group, 16),
      scheme(4, true, per_group, 16), scheme(8, true, per_channel)};
  return all;
}

TEST(Gptq, SameCodesAsTheDirectImplementationOfThePapersUpdate) {
  const Layer layer = seeded_layer(7, 6, 40);
  for (const QuantScheme& s : schemes()) {
    for (const bool act_order : {false, true}) {
      SCOPED_TRACE(s.to_string() + (act_order ? " act-order" : ""));
      const GptqOptions options{0.01, act_order};
      const QuantizedTensor q =
          gptq_quantize(layer.w, Shape{6, 40}, s, calib::WeightRange::minmax, layer.h, options);
      EXPECT_EQ(dequantize(q), direct_gptq(layer, s, options));
    }
  }
}

TEST(Gptq, LayerOutputErrorNeverWorseThanRoundToNearestOnSeededLayers) {
  for (unsigned seed = 1; seed <= 5; ++seed) {
    const Layer layer = seeded_layer(seed, 16, 64);
    const Shape shape{16, 64};
    for (const QuantScheme& s : schemes()) {
      SCOPED_TRACE(std::to_string(seed) + " " + s.to_string());
      const double gptq = output_error(
          layer.w,
          dequantize(gptq_quantize(layer.w, shape, s, calib::WeightRange::minmax, layer.h, {})),
          layer.h, 16, 64);
      const double round = output_error(layer.w, rtn(layer.w, shape, s), layer.h, 16, 64);
      EXPECT_LE(gptq, round);
    }
  }
}

TEST(Gptq, DeterministicAndChecksItsInputs) {
  const Layer layer = seeded_layer(3, 8, 32);
  const QuantScheme s = scheme(4, false, Granularity::per_group, 16);
  const QuantizedTensor a =
      gptq_quantize(layer.w, Shape{8, 32}, s, calib::WeightRange::mse, layer.h, {0.01, true});
  const QuantizedTensor b =
      gptq_quantize(layer.w, Shape{8, 32}, s, calib::WeightRange::mse, layer.h, {0.01, true});
  EXPECT_EQ(a.data, b.data);
  EXPECT_EQ(a.scales, b.scales);
  EXPECT_EQ(a.zero_points, b.zero_points);
  const std::vector<double> small(10, 0.0);
  EXPECT_THROW(gptq_quantize(layer.w, Shape{8, 32}, s, calib::WeightRange::minmax, small, {}),
               InvalidArgument);
  EXPECT_THROW(
      gptq_quantize(layer.w, Shape{8, 32}, s, calib::WeightRange::minmax, layer.h, {0.0, false}),
      InvalidArgument);
}

using testing::Shipped;
constexpr auto& load = testing::load_shipped;

// Per-channel symmetric min-max INT4: the RTN baseline GPTQ is compared with.
Plan int4_channel(WeightMethod method, bool bias_correction = false) {
  Plan plan;
  plan.name = "int4-channel";
  plan.defaults.weights = WeightFormat::int4;
  plan.defaults.granularity = Granularity::per_channel;
  plan.defaults.method = method;
  plan.defaults.bias_correction = bias_correction;
  return plan;
}

TEST(Gptq, LayerOutputErrorNeverWorseThanRoundToNearestOnShippedLayers) {
  for (const std::string& name : testing::shipped_models()) {
    const Shipped s = load(name);
    const nn::Examples data = testing::shipped_examples(s.manifest, "train", 256);
    const Plan plan = int4_channel(WeightMethod::gptq);
    const Calibration calibration = calibrate(s.model, plan, data.inputs, {});
    const QuantizedModel gptq = quantize_model(s.model, plan, calibration);
    const QuantizedModel round = quantize_model(s.model, int4_channel(WeightMethod::rtn), {});
    const nn::Model folded = nn::fold_for_inference(s.model);
    for (const auto& [layer, statistics] : calibration.inputs) {
      SCOPED_TRACE(name + " " + layer);
      const auto weight = folded.parameter(layer + ".weight").values<float>();
      const std::vector<float> w(weight.begin(), weight.end());
      const size_t k = statistics.mean.size(), n = w.size() / k;
      const double e_gptq =
          output_error(w, dequantize(gptq.layers.at(layer).weight), statistics.hessian, n, k);
      const double e_rtn =
          output_error(w, dequantize(round.layers.at(layer).weight), statistics.hessian, n, k);
      EXPECT_LE(e_gptq, e_rtn);
      std::printf("%s %s: layer-output error GPTQ / RTN = %.3f\n", name.c_str(), layer.c_str(),
                  e_gptq / e_rtn);
    }
  }
}

TEST(BiasCorrection, RemovesTheMeanOutputShiftOnTheCalibrationSet) {
  const Shipped s = load("fashion-cnn");
  const nn::Examples data = testing::shipped_examples(s.manifest, "train", 128);
  const Plan plan = int4_channel(WeightMethod::rtn, true);
  const Calibration calibration = calibrate(s.model, plan, data.inputs, {});
  const QuantizedModel corrected = quantize_model(s.model, plan, calibration);
  const nn::Model folded = nn::fold_for_inference(s.model);
  for (const auto& [layer, statistics] : calibration.inputs) {
    SCOPED_TRACE(layer);
    EXPECT_TRUE(statistics.hessian.empty());  // bias correction alone needs only the mean
    const auto w = folded.parameter(layer + ".weight").values<float>();
    const std::vector<float> approx = dequantize(corrected.layers.at(layer).weight);
    const auto b = folded.parameter(layer + ".bias").values<float>();
    const auto b_corrected = corrected.model.parameter(layer + ".bias").values<float>();
    const size_t k = statistics.mean.size();
    for (size_t o = 0; o < b.size(); ++o) {
      double fp32 = b[o], quantized = b_corrected[o];
      for (size_t i = 0; i < k; ++i) {
        fp32 += w[o * k + i] * statistics.mean[i];
        quantized += approx[o * k + i] * statistics.mean[i];
      }
      EXPECT_NEAR(quantized, fp32, 1e-5 * (1 + std::abs(fp32)));
    }
  }
}

TEST(Gptq, PlansAskForStatisticsAndFailWithoutThem) {
  const Shipped s = load("mnist-mlp");
  const Plan plan = int4_channel(WeightMethod::gptq);
  try {
    quantize_model(s.model, plan, {});
    FAIL() << "quantized GPTQ without statistics";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("fc1' is planned with GPTQ"), std::string::npos);
  }
  Plan bad = plan;
  bad.defaults.gptq_damp = 2;
  EXPECT_THROW(validate_plan(bad, s.model), InvalidArgument);
  EXPECT_EQ(parse_plan(plan_to_json(plan).dump(), "gptq"), plan);
}

}  // namespace
}  // namespace quantlab::quantization
