// Tensor-level quantize/dequantize: choose or check parameters per run, then call the row
// primitives of the requested implementation.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "quantlab/error.h"
#include "quantlab/quant.h"
#include "quantlab/quant_layout.h"
#include "quantlab/quant_values.h"

namespace quantlab {
namespace {

void quantize_run(const float* x, size_t n, AffineParams p, IntRange r, int bits, Impl impl,
                  uint8_t* out) {
  if (bits == 8) {
    auto* q = reinterpret_cast<int8_t*>(out);
    impl == Impl::ref ? quantize_row_i8_ref(x, n, p, r, q)
                      : quantize_row_i8_wasmsimd(x, n, p, r, q);
  } else {
    impl == Impl::ref ? quantize_row_i4_ref(x, n, p, r, out)
                      : quantize_row_i4_wasmsimd(x, n, p, r, out);
  }
}

void dequantize_run(const uint8_t* in, size_t n, AffineParams p, int bits, bool is_signed,
                    Impl impl, float* x) {
  if (bits == 8) {
    const auto* q = reinterpret_cast<const int8_t*>(in);
    impl == Impl::ref ? dequantize_row_i8_ref(q, n, p, x) : dequantize_row_i8_wasmsimd(q, n, p, x);
  } else {
    impl == Impl::ref ? dequantize_row_i4_ref(in, n, p, is_signed, x)
                      : dequantize_row_i4_wasmsimd(in, n, p, is_signed, x);
  }
}

void require_size(std::span<const float> x, const Shape& shape) {
  require(x.size() == shape.element_count(), "shape " + shape.to_string() + " needs " +
                                                 std::to_string(shape.element_count()) +
                                                 " values, got " + std::to_string(x.size()));
}

// Scales positive and finite, zero points 0 (symmetric) or inside the integer range (Eq. 3).
void check_parameters(const QuantScheme& scheme, std::span<const float> scales,
                      std::span<const int32_t> zero_points) {
  const IntRange range = int_range(scheme.bits, scheme.symmetric);
  for (size_t i = 0; i < scales.size(); ++i) {
    require(std::isfinite(scales[i]) && scales[i] > 0.0f, [&] {
      return "scale " + std::to_string(i) + " must be positive and finite, got " +
             std::to_string(scales[i]);
    });
    require(scheme.symmetric ? zero_points[i] == 0
                             : zero_points[i] >= range.qmin && zero_points[i] <= range.qmax,
            [&] {
              return "zero point " + std::to_string(i) + " = " + std::to_string(zero_points[i]) +
                     " is outside what " + scheme.to_string() + " allows";
            });
  }
}

}  // namespace

void validate_quantized(const QuantizedTensor& qt) {
  const RunLayout layout(qt.shape, qt.scheme);
  require(qt.data.size() == layout.payload_bytes() &&
              qt.scales.size() == layout.parameter_count() &&
              qt.zero_points.size() == layout.parameter_count(),
          qt.scheme.to_string() + " on shape " + qt.shape.to_string() + " needs " +
              std::to_string(layout.payload_bytes()) + " code bytes and " +
              std::to_string(layout.parameter_count()) + " scales and zero points, got " +
              std::to_string(qt.data.size()) + ", " + std::to_string(qt.scales.size()) + " and " +
              std::to_string(qt.zero_points.size()));
  check_parameters(qt.scheme, qt.scales, qt.zero_points);
}

void require_finite(std::span<const float> x, const std::string& what) {
  for (size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) {
      throw InvalidArgument(what + " contains " + (std::isnan(x[i]) ? "NaN" : "Inf") +
                            " at index " + std::to_string(i) +
                            "; quantization needs finite values");
    }
  }
}

std::vector<FloatRange> param_ranges(std::span<const float> x, const Shape& shape,
                                     const QuantScheme& scheme, Impl impl) {
  const RunLayout layout(shape, scheme);
  require_size(x, shape);
  std::vector<FloatRange> ranges(
      layout.parameter_count(),
      FloatRange{std::numeric_limits<float>::max(), std::numeric_limits<float>::lowest(), true});
  layout.for_each_run([&](const Run& run) {
    const FloatRange range = float_range(x.subspan(run.offset, run.length), impl);
    if (!range.finite) require_finite(x, "input");  // throws, naming the element
    ranges[run.param].min = std::min(ranges[run.param].min, range.min);
    ranges[run.param].max = std::max(ranges[run.param].max, range.max);
  });
  return ranges;
}

QuantizedTensor quantize(std::span<const float> x, const Shape& shape, const QuantScheme& scheme,
                         Impl impl) {
  const std::vector<FloatRange> ranges = param_ranges(x, shape, scheme, impl);
  std::vector<float> scales(ranges.size());
  std::vector<int32_t> zero_points(ranges.size());
  for (size_t i = 0; i < ranges.size(); ++i) {
    const AffineParams p =
        choose_params_minmax(ranges[i].min, ranges[i].max, scheme.bits, scheme.symmetric);
    scales[i] = p.scale;
    zero_points[i] = p.zero_point;
  }
  return quantize_with_params(x, shape, scheme, scales, zero_points, impl);
}

QuantizedTensor quantize_with_params(std::span<const float> x, const Shape& shape,
                                     const QuantScheme& scheme, std::span<const float> scales,
                                     std::span<const int32_t> zero_points, Impl impl) {
  const RunLayout layout(shape, scheme);
  require_size(x, shape);
  if (!float_range(x, impl).finite) require_finite(x, "input");  // throws, naming the element
  const size_t count = layout.parameter_count();
  require(scales.size() == count && zero_points.size() == count,
          scheme.to_string() + " on shape " + shape.to_string() + " needs " +
              std::to_string(count) + " scales and zero points, got " +
              std::to_string(scales.size()) + " and " + std::to_string(zero_points.size()));
  check_parameters(scheme, scales, zero_points);
  const IntRange range = int_range(scheme.bits, scheme.symmetric);

  QuantizedTensor qt;
  qt.shape = shape;
  qt.scheme = scheme;
  qt.scales.assign(scales.begin(), scales.end());
  qt.zero_points.assign(zero_points.begin(), zero_points.end());
  qt.data.assign(layout.payload_bytes(), 0);
  layout.for_each_run([&](const Run& run) {
    const AffineParams p{scales[run.param], zero_points[run.param]};
    quantize_run(x.data() + run.offset, run.length, p, range, scheme.bits, impl,
                 qt.data.data() + layout.byte_offset(run.offset));
  });
  return qt;
}

std::vector<float> dequantize(const QuantizedTensor& qt, Impl impl) {
  validate_quantized(qt);
  const RunLayout layout(qt.shape, qt.scheme);
  std::vector<float> x(qt.shape.element_count());
  layout.for_each_run([&](const Run& run) {
    const AffineParams p{qt.scales[run.param], qt.zero_points[run.param]};
    dequantize_run(qt.data.data() + layout.byte_offset(run.offset), run.length, p, qt.scheme.bits,
                   qt.scheme.symmetric, impl, x.data() + run.offset);
  });
  return x;
}

size_t QuantizedTensor::param_index(size_t i) const {
  return RunLayout(shape, scheme).param_index(i);
}

std::vector<uint32_t> QuantizedTensor::param_indices() const {
  std::vector<uint32_t> indices(shape.element_count());
  RunLayout(shape, scheme).for_each_run([&](const Run& run) {
    std::fill_n(indices.begin() + run.offset, run.length, static_cast<uint32_t>(run.param));
  });
  return indices;
}

int32_t QuantizedTensor::q(size_t i) const {
  require(i < shape.element_count(),
          [&] { return "element index " + std::to_string(i) + " is out of range"; });
  const RunLayout layout(shape, scheme);
  const size_t byte = layout.byte_offset(i);
  if (scheme.bits == 8) return static_cast<int8_t>(data[byte]);
  return unpack_nibble(data[byte], i % shape.row_length() % 2 == 1, scheme.symmetric);
}

size_t QuantizedTensor::parameter_bits() const {
  // Eq. 10: scales are float32; symmetric zero points are implicit (always 0).
  const size_t zero_point_bits = scheme.symmetric ? 0 : static_cast<size_t>(scheme.bits);
  return scales.size() * 32 + zero_points.size() * zero_point_bits;
}

double QuantizedTensor::bits_per_weight() const {
  return static_cast<double>(total_bits()) / static_cast<double>(shape.element_count());
}

}  // namespace quantlab
