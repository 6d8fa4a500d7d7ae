// Calibration (layer 5): observers that watch the activations at one point of a network over a
// calibration set and choose the clipping range its INT8 mapping covers, and the range searches
// for weights. Equation numbers (Eq. N) refer to docs/quantization.md, §11.
//
// Conventions shared by every method:
// - An observer sees the calibration set batch by batch (observe() once per batch); the range it
//   returns does not depend on how the set was cut into batches, except for the moving average,
//   whose definition is per batch.
// - The returned range is the clipping range before Eq. 5 widens it to contain 0; callers turn
//   it into (scale, zero point) with choose_params_minmax.
// - Everything is deterministic: no sampling, ties broken towards the wider range.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "quantlab/quant.h"

namespace quantlab::calib {

// The histogram methods (percentile, mse, entropy) read a fixed-memory histogram whose bin width
// is a power of two that doubles when new data falls outside it (§11.1).
enum class Method : uint8_t {
  minmax,                 // [min, max] of everything observed
  moving_average_minmax,  // per-batch min and max, averaged with constant c (PyTorch's EMA, Eq. 17)
  percentile,  // asymmetric [P_(100-p), P_p] of x, symmetric ±P_p of |x|, interpolated linearly
               // inside histogram bins (Eq. 18)
  mse,         // the clipping range minimizing the expected quantization MSE (Eq. 19)
  entropy,     // the threshold minimizing KL(reference ‖ quantized), TensorRT's method (Eq. 20):
               // [-t, t], or [0, t] when every observed value is >= 0
};

// "minmax", "moving_average_minmax", "percentile", "mse", "entropy".
const char* method_name(Method method);
// Inverse of method_name; throws InvalidArgument naming the unknown method and listing the valid
// ones.
Method parse_method(const std::string& name);

struct ObserverOptions {
  Method method = Method::minmax;
  double percentile = 99.99;         // percentile: in (50, 100]
  float averaging_constant = 0.01f;  // moving_average_minmax: c in (0, 1]
  size_t bins = 2048;  // histogram methods: in [16, 2^20], and range() needs bins >= 2^bits
};

// Throws InvalidArgument naming the field if an option is out of range.
void validate_options(const ObserverOptions& options);

struct Range {
  float min = 0;
  float max = 0;
};

// What an observer saw, as the histogram of §11.1: counts[k] values in
// [first_edge + k·bin_width, first_edge + (k+1)·bin_width), exact extremes min and max.
struct ValueHistogram {
  double first_edge = 0;
  double bin_width = 0;
  std::vector<uint64_t> counts;
  float min = 0;
  float max = 0;
};

// The fraction of the histogram's values in bins wholly outside `range` (Eq. 50; a bin's extent
// narrowed to the exact extremes). 0 when the range covers [min, max].
double clipped_fraction(const ValueHistogram& histogram, Range range);

// KL(P‖Q) in nats of the histogram against its quantization onto the asymmetric `bits`-bit grid
// that choose_params_minmax puts over `range` (Eq. 51): the information the clipping range and
// the grid lose, on the same footing as the entropy method's Eq. 20 (+inf where clipped values
// land on a level that holds none of its own). Throws InvalidArgument for an empty histogram or
// bits other than 8 and 4.
double quantization_kl(const ValueHistogram& histogram, Range range, int bits);

// Watches one tensor point. Work and memory are linear in what it observes (histogram methods
// keep a fixed number of bins, not the values).
class Observer {
 public:
  explicit Observer(const ObserverOptions& options);
  ~Observer();
  Observer(Observer&&) noexcept;
  Observer& operator=(Observer&&) noexcept;

  // One batch of values. Throws InvalidArgument on NaN/Inf (naming the index) or an empty batch.
  void observe(std::span<const float> values);
  // How many values it has seen.
  size_t count() const;
  // The clipping range chosen for a `bits`-bit mapping (symmetric or asymmetric, as the caller
  // will quantize with). Throws InvalidArgument if nothing was observed, if bits is not 8 or 4,
  // or if a histogram method has fewer bins than 2^bits.
  // min-max and the moving average ignore `symmetric` (Eq. 6 makes their range symmetric).
  Range range(int bits, bool symmetric) const;
  // The histogram of the observed values x (§11.1), for the percentile and MSE methods, which
  // keep one. Throws InvalidArgument for the other methods or if nothing was observed.
  ValueHistogram histogram() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// ---- weights -----------------------------------------------------------------------------------

enum class WeightRange : uint8_t {
  minmax,  // Eqs. 5-7 per tensor / channel / group
  mse,     // per tensor / channel / group, the clipped range [α·min, α·max], α in
           // {1, 0.99, ..., 0.20}, minimizing that run's round-trip MSE (Eq. 21)
};

// "minmax", "mse"; parse_weight_range throws InvalidArgument listing the valid names.
const char* weight_range_name(WeightRange range);
WeightRange parse_weight_range(const std::string& name);

struct WeightParams {
  std::vector<float> scales;         // one per tensor, channel or group (quant's param order)
  std::vector<int32_t> zero_points;  // same count
};

// Parameters for quantizing weights x of `shape` with `scheme` (pass to quantize_with_params).
// minmax gives exactly quantize()'s parameters. Throws InvalidArgument as quantize() does (size,
// scheme, NaN/Inf).
WeightParams choose_weight_params(std::span<const float> x, const Shape& shape,
                                  const QuantScheme& scheme, WeightRange range);

}  // namespace quantlab::calib
