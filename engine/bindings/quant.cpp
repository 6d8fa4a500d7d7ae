// Embind surface of the quant layer (quantlab/quant.h): translation only. Field names follow
// the TypeScript convention; the meaning of each is documented in quant.h.
#include "quantlab/quant.h"

#include <emscripten/bind.h>

#include "guard.h"
#include "typed_arrays.h"

namespace quantlab::bindings {
namespace {

using emscripten::val;

// Storage figures of a quantized tensor (Eq. 10). Doubles: bit counts of large tensors pass
// 2^32, where an unsigned JS number from size_t would wrap.
struct StorageBits {
  double payload_bits;
  double parameter_bits;
  double total_bits;
  double bits_per_weight;
};

struct RoundTrip {
  QuantizedTensor quantized;
  std::vector<float> restored;
  ErrorStats error;
  StorageBits storage;
};

Shape shape_from_js(const val& dims) { return Shape(from_typed_array<size_t>(dims)); }

val shape_dims(const QuantizedTensor& qt) {
  return to_typed_array(std::span<const size_t>(qt.shape.dims()));
}
void set_shape_dims(QuantizedTensor& qt, val dims) { qt.shape = shape_from_js(dims); }
val data(const QuantizedTensor& qt) { return to_typed_array(std::span<const uint8_t>(qt.data)); }
void set_data(QuantizedTensor& qt, val bytes) { qt.data = from_typed_array<uint8_t>(bytes); }
val scales(const QuantizedTensor& qt) { return to_typed_array(std::span<const float>(qt.scales)); }
void set_scales(QuantizedTensor& qt, val values) { qt.scales = from_typed_array<float>(values); }
val zero_points(const QuantizedTensor& qt) {
  return to_typed_array(std::span<const int32_t>(qt.zero_points));
}
void set_zero_points(QuantizedTensor& qt, val values) {
  qt.zero_points = from_typed_array<int32_t>(values);
}
val restored(const RoundTrip& r) { return to_typed_array(std::span<const float>(r.restored)); }
void set_restored(RoundTrip& r, val values) { r.restored = from_typed_array<float>(values); }

StorageBits storage_bits(const QuantizedTensor& qt) {
  return {static_cast<double>(qt.payload_bits()), static_cast<double>(qt.parameter_bits()),
          static_cast<double>(qt.total_bits()), qt.bits_per_weight()};
}

QuantizedTensor quantize_js(val x, val dims, QuantScheme scheme) {
  return quantize(from_typed_array<float>(x), shape_from_js(dims), scheme);
}

val dequantize_js(QuantizedTensor qt) {
  return to_typed_array(std::span<const float>(dequantize(qt)));
}

ErrorStats error_stats_js(val reference, val approx) {
  return error_stats(from_typed_array<float>(reference), from_typed_array<float>(approx));
}

RoundTrip round_trip_js(val x, val dims, QuantScheme scheme) {
  const std::vector<float> values = from_typed_array<float>(x);
  RoundTrip r;
  r.quantized = quantize(values, shape_from_js(dims), scheme);
  r.restored = dequantize(r.quantized);
  r.error = error_stats(values, r.restored);
  r.storage = storage_bits(r.quantized);
  return r;
}

// Which scale/zero point (param_index) each element uses, for showing one group's grid.
val param_indices(QuantizedTensor qt) {
  return to_typed_array(std::span<const uint32_t>(qt.param_indices()));
}

void validate_scheme_js(QuantScheme scheme, val dims) {
  validate_scheme(scheme, shape_from_js(dims));
}
std::string scheme_name(QuantScheme scheme) { return scheme.to_string(); }
QuantScheme default_scheme() { return {}; }

}  // namespace

EMSCRIPTEN_BINDINGS(quantlab_quant) {
  using emscripten::enum_;
  using emscripten::function;
  using emscripten::value_object;

  enum_<Granularity>("Granularity")
      .value("per_tensor", Granularity::per_tensor)
      .value("per_channel", Granularity::per_channel)
      .value("per_group", Granularity::per_group);

  value_object<QuantScheme>("QuantScheme")
      .field("bits", &QuantScheme::bits)
      .field("symmetric", &QuantScheme::symmetric)
      .field("granularity", &QuantScheme::granularity)
      .field("axis", &QuantScheme::axis)
      .field("groupSize", &QuantScheme::group_size);

  value_object<QuantizedTensor>("QuantizedTensor")
      .field("shape", &shape_dims, &set_shape_dims)
      .field("scheme", &QuantizedTensor::scheme)
      .field("data", &data, &set_data)
      .field("scales", &scales, &set_scales)
      .field("zeroPoints", &zero_points, &set_zero_points);

  value_object<ErrorStats>("ErrorStats")
      .field("mse", &ErrorStats::mse)
      .field("maxAbsError", &ErrorStats::max_abs_error)
      .field("meanAbsError", &ErrorStats::mean_abs_error)
      .field("signalPower", &ErrorStats::signal_power)
      .field("sqnrDb", &ErrorStats::sqnr_db);

  value_object<StorageBits>("StorageBits")
      .field("payloadBits", &StorageBits::payload_bits)
      .field("parameterBits", &StorageBits::parameter_bits)
      .field("totalBits", &StorageBits::total_bits)
      .field("bitsPerWeight", &StorageBits::bits_per_weight);

  value_object<IntRange>("IntRange").field("qmin", &IntRange::qmin).field("qmax", &IntRange::qmax);

  value_object<RoundTrip>("RoundTrip")
      .field("quantized", &RoundTrip::quantized)
      .field("restored", &restored, &set_restored)
      .field("error", &RoundTrip::error)
      .field("storage", &RoundTrip::storage);

  function("quantize", guarded<&quantize_js>);
  function("dequantize", guarded<&dequantize_js>);
  function("errorStats", guarded<&error_stats_js>);
  function("storageBits", guarded<&storage_bits>);
  function("roundTrip", guarded<&round_trip_js>);
  function("paramIndices", guarded<&param_indices>);
  function("intRange", guarded<&int_range>);
  function("validateScheme", guarded<&validate_scheme_js>);
  function("schemeName", guarded<&scheme_name>);
  function("defaultScheme", &default_scheme);
}

}  // namespace quantlab::bindings
