// Integer ranges, rounding and min-max parameter choice (docs/quantization.md, Eqs. 2-7).
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>

#include "quantlab/error.h"
#include "quantlab/quant.h"

namespace quantlab {

IntRange int_range(int bits, bool symmetric) {
  if (bits == 8) return {-128, 127};
  if (bits == 4) return symmetric ? IntRange{-8, 7} : IntRange{0, 15};
  throw InvalidArgument("bits must be 8 or 4, got " + std::to_string(bits));
}

float round_half_to_even(float x) {
  // Eq. 2: nearbyint rounds with the current mode, which is round-to-nearest-even by default
  // and the only mode WebAssembly has; it compiles to f32.nearest like wasm_f32x4_nearest.
  return std::nearbyint(x);
}

AffineParams choose_params_minmax(float min, float max, int bits, bool symmetric) {
  require(std::isfinite(min) && std::isfinite(max), [&] {
    return "range must be finite, got [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  });
  require(min <= max, [&] {
    return "range minimum " + std::to_string(min) + " exceeds maximum " + std::to_string(max);
  });
  const IntRange range = int_range(bits, symmetric);
  // Eq. 5: the range always contains 0 so that zero (padding, ReLU outputs) is exact.
  min = std::min(min, 0.0f);
  max = std::max(max, 0.0f);

  AffineParams params;
  if (symmetric) {
    params.scale = std::max(-min, max) / static_cast<float>(range.qmax);  // Eq. 6
  } else {
    params.scale = (max - min) / static_cast<float>(range.qmax - range.qmin);  // Eq. 7
  }
  if (params.scale == 0.0f) {
    // All-zero input: any scale represents it exactly; 1 keeps x/scale well defined.
    return {1.0f, std::clamp<int32_t>(0, range.qmin, range.qmax)};
  }
  // A subnormal scale would overflow x/scale to infinity; FLT_MIN still maps the range.
  params.scale = std::max(params.scale, FLT_MIN);
  if (!symmetric) {
    const float zero_point =
        round_half_to_even(static_cast<float>(range.qmin) - min / params.scale);
    params.zero_point = std::clamp(static_cast<int32_t>(zero_point), range.qmin, range.qmax);
  }
  return params;
}

FloatRange float_range(std::span<const float> x, Impl impl) {
  require(!x.empty(), "the range of an empty tensor is undefined");
  return impl == Impl::ref ? float_range_ref(x.data(), x.size())
                           : float_range_wasmsimd(x.data(), x.size());
}

AffineParams choose_params_dynamic(std::span<const float> x, int bits, bool symmetric,
                                   const char* what, Impl impl) {
  const FloatRange range = float_range(x, impl);
  if (!range.finite) require_finite(x, what);  // throws, naming the element
  return choose_params_minmax(range.min, range.max, bits, symmetric);
}

}  // namespace quantlab
