// Every observer on every Linear/Conv2d input in one calibration run, with the histogram of what
// they saw: what the lab draws to show what each method's clipping does to the distribution.
#include <map>

#include "quantize/methods.h"
#include "quantlab/quantize.h"

namespace quantlab::quantization {
namespace {

constexpr calib::Method kMethods[] = {calib::Method::minmax, calib::Method::moving_average_minmax,
                                      calib::Method::percentile, calib::Method::mse,
                                      calib::Method::entropy};
// The percentile observer keeps the histogram of x the lab shows (mse keeps the same one).
constexpr size_t kHistogramSource = 2;

}  // namespace

std::vector<LayerActivations> activation_histograms(const nn::Model& model, const Tensor& inputs,
                                                    const CalibrationOptions& options,
                                                    const Progress& progress) {
  const nn::Model folded = nn::fold_for_inference(model);
  check_calibration(folded, inputs, options);

  std::map<size_t, std::vector<calib::Observer>> observers;  // by point (the layer's index)
  for (size_t i = 0; i < folded.layers.size(); ++i) {
    const nn::LayerKind kind = folded.layers[i].kind;
    if (kind != nn::LayerKind::linear && kind != nn::LayerKind::conv2d) continue;
    std::vector<calib::Observer>& layer = observers[i];
    for (const calib::Method method : kMethods) {
      calib::ObserverOptions observer = options.observer;
      observer.method = method;
      layer.emplace_back(observer);
    }
  }
  observe_calibration_run(
      folded, inputs, options,
      [&](size_t point, const Tensor& value) {
        const auto it = observers.find(point);
        if (it == observers.end()) return;
        for (calib::Observer& observer : it->second) observer.observe(value.values<float>());
      },
      progress);

  std::vector<LayerActivations> layers;
  for (const auto& [index, layer_observers] : observers) {
    LayerActivations layer{
        folded.layers[index].name, layer_observers[kHistogramSource].histogram(), {}};
    for (size_t m = 0; m < layer_observers.size(); ++m) {
      const calib::Range range = layer_observers[m].range(8, false);
      layer.ranges.push_back({kMethods[m], range, calib::clipped_fraction(layer.histogram, range),
                              calib::quantization_kl(layer.histogram, range, 8)});
    }
    layers.push_back(std::move(layer));
  }
  return layers;
}

}  // namespace quantlab::quantization
