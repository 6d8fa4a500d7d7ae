// Quantization math (layer 2). Pure and deterministic. Equation numbers (Eq. N) refer to
// docs/quantization.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "quantlab/impl.h"
#include "quantlab/tensor.h"

namespace quantlab {

enum class Granularity : uint8_t {
  per_tensor,   // one scale (and zero point) for the whole tensor
  per_channel,  // one per slice along QuantScheme::axis
  per_group,    // one per group_size consecutive values along a row (the K dimension)
};

const char* granularity_name(Granularity granularity);

// How a float tensor maps to integers.
struct QuantScheme {
  int bits = 8;  // 8 or 4
  // Symmetric: zero point fixed at 0, scale from max|x| (Eq. 6). Asymmetric: zero point chosen
  // so [min, max] covers the integer range (Eq. 7).
  bool symmetric = true;
  Granularity granularity = Granularity::per_tensor;
  // per_channel: the axis whose slices each get their own scale. 4-bit schemes only allow 0,
  // the output channel of the matrix view (Shape::rows).
  size_t axis = 0;
  // per_group: values per group along a row; the last group of a row may be shorter.
  size_t group_size = 32;

  std::string to_string() const;
};

// Throws InvalidArgument naming the problem if scheme cannot quantize a tensor of shape.
void validate_scheme(const QuantScheme& scheme, const Shape& shape);

// Integer range [qmin, qmax] of a scheme (Eq. 3).
struct IntRange {
  int32_t qmin;
  int32_t qmax;
};
IntRange int_range(int bits, bool symmetric);

// One affine mapping real = scale * (q - zero_point) (Eq. 1).
struct AffineParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// Min-max parameter choice (Eqs. 5-7): the range is widened to contain 0 so that zero is exact.
AffineParams choose_params_minmax(float min, float max, int bits, bool symmetric);

// Smallest and largest of x (non-empty), and whether every value is finite (no NaN, no ±Inf),
// in one pass.
struct FloatRange {
  float min;
  float max;
  bool finite;
};
FloatRange float_range(std::span<const float> x, Impl impl = Impl::wasmsimd);
FloatRange float_range_ref(const float* x, size_t n);
FloatRange float_range_wasmsimd(const float* x, size_t n);

// Dynamic parameter choice: Eqs. 5-7 over the range of x, the per-row activation quantization
// of the integer kernels. Throws InvalidArgument naming the first NaN/Inf of x (called `what`).
AffineParams choose_params_dynamic(std::span<const float> x, int bits, bool symmetric,
                                   const char* what, Impl impl = Impl::wasmsimd);

// Round half to even (Eq. 2), the rule of ONNX QuantizeLinear and PyTorch.
float round_half_to_even(float x);

// A quantized tensor with every parameter needed to dequantize it.
struct QuantizedTensor {
  Shape shape;
  QuantScheme scheme;
  // 8-bit: one byte per value (int8 bit pattern). 4-bit: two values per byte, low nibble
  // first, each row of the matrix view padded to a whole byte (Eq. 9); symmetric nibbles are
  // two's complement [-8, 7], asymmetric nibbles are unsigned [0, 15].
  std::vector<uint8_t> data;
  std::vector<float> scales;         // one per tensor, channel or group (see param_index)
  std::vector<int32_t> zero_points;  // same count as scales; all 0 when symmetric

  // Index into scales/zero_points of the element at flat (row-major) position i.
  size_t param_index(size_t i) const;
  // param_index of every element, in one pass.
  std::vector<uint32_t> param_indices() const;
  // The integer q of element i, unpacked.
  int32_t q(size_t i) const;

  // Storage in bits: packed payload + scales (32 bits each) + zero points (`bits` each,
  // none when symmetric) (Eq. 10).
  size_t payload_bits() const { return data.size() * 8; }
  size_t parameter_bits() const;
  size_t total_bits() const { return payload_bits() + parameter_bits(); }
  double bits_per_weight() const;
};

// [min, max] of the values that share each parameter (per tensor, channel or group, in
// QuantizedTensor's parameter order): the ranges quantize() turns into parameters with Eqs. 5-7,
// and the ones weight calibration starts from. Rejects NaN/Inf (naming the element), a size that
// does not match shape, and schemes that cannot quantize shape.
std::vector<FloatRange> param_ranges(std::span<const float> x, const Shape& shape,
                                     const QuantScheme& scheme, Impl impl = Impl::wasmsimd);

// Quantize with min-max parameters per tensor/channel/group. Rejects NaN/Inf and empty input.
QuantizedTensor quantize(std::span<const float> x, const Shape& shape, const QuantScheme& scheme,
                         Impl impl = Impl::wasmsimd);

// Quantize with parameters chosen elsewhere (calibration): one per tensor/channel/group.
QuantizedTensor quantize_with_params(std::span<const float> x, const Shape& shape,
                                     const QuantScheme& scheme, std::span<const float> scales,
                                     std::span<const int32_t> zero_points,
                                     Impl impl = Impl::wasmsimd);

// Throws InvalidArgument unless qt is consistent: payload and parameter counts match its shape
// and scheme, scales positive and finite, zero points allowed by the scheme (e.g. read from a
// file).
void validate_quantized(const QuantizedTensor& qt);

std::vector<float> dequantize(const QuantizedTensor& qt, Impl impl = Impl::wasmsimd);

// Row primitives shared with the kernels. `n` values, one affine mapping.
// quantize_row_*: Eq. 4 with clamp to range. 4-bit output starts at a byte boundary and
// writes ceil(n/2) bytes; an odd n leaves the last high nibble 0.
void quantize_row_i8_ref(const float* x, size_t n, AffineParams p, IntRange r, int8_t* q);
void quantize_row_i8_wasmsimd(const float* x, size_t n, AffineParams p, IntRange r, int8_t* q);
void dequantize_row_i8_ref(const int8_t* q, size_t n, AffineParams p, float* x);
void dequantize_row_i8_wasmsimd(const int8_t* q, size_t n, AffineParams p, float* x);
// Eq. 4 followed by the centering of Eq. 15: writes q - zero_point as int16 (exact, |.| <= 255
// for 8-bit ranges), the form in which the integer kernels consume activations.
void quantize_row_centered_i16_ref(const float* x, size_t n, AffineParams p, IntRange r,
                                   int16_t* centered);
void quantize_row_centered_i16_wasmsimd(const float* x, size_t n, AffineParams p, IntRange r,
                                        int16_t* centered);
void quantize_row_i4_ref(const float* x, size_t n, AffineParams p, IntRange r, uint8_t* packed);
void quantize_row_i4_wasmsimd(const float* x, size_t n, AffineParams p, IntRange r,
                              uint8_t* packed);
// `is_signed`: nibbles are two's complement (symmetric) rather than unsigned.
void dequantize_row_i4_ref(const uint8_t* packed, size_t n, AffineParams p, bool is_signed,
                           float* x);
void dequantize_row_i4_wasmsimd(const uint8_t* packed, size_t n, AffineParams p, bool is_signed,
                                float* x);

// Round-trip error of approx against reference (Eqs. 11-13).
struct ErrorStats {
  double mse = 0;             // mean squared error
  double max_abs_error = 0;   // largest |x - x̂|
  double mean_abs_error = 0;  // mean |x - x̂|
  double signal_power = 0;    // mean x²
  double sqnr_db = 0;         // 10·log10(signal_power / mse); +inf when mse is 0
};
ErrorStats error_stats(std::span<const float> reference, std::span<const float> approx);

// Throws InvalidArgument naming the first NaN or Inf in x (what = "input", "weights", ...).
void require_finite(std::span<const float> x, const std::string& what);

}  // namespace quantlab
