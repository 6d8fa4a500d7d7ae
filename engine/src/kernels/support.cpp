// Which quantized weight formats the kernels run, and why not the others. Plan validation and the
// library ask this one function, so a plan can never promise what the kernels cannot do.
#include <string>

#include "kernels/packed_layouts.h"
#include "quantlab/kernels.h"

namespace quantlab::kernels {
namespace {

// Eq. 15: K · 255 · 128 < 2³¹ keeps an INT8 dot product of centered activations exact in int32.
constexpr size_t kMaxExactInt8K = 65'793;

Support refuse(std::string reason) { return {false, std::move(reason)}; }

}  // namespace

const char* activation_format_name(ActivationFormat format) {
  switch (format) {
    case ActivationFormat::f32:
      return "f32";
    case ActivationFormat::qd8:
      return "int8-dynamic";
    case ActivationFormat::qs8:
      return "int8-static";
  }
  return "unknown";
}

Support supports(const QuantScheme& weights, ActivationFormat activations, size_t n, size_t k) {
  if (n == 0 || k == 0) return refuse("the weight has no elements");
  if (weights.granularity == Granularity::per_channel && weights.axis != 0) {
    return refuse("per-channel weights need axis 0 (the output channel), got axis " +
                  std::to_string(weights.axis));
  }
  if (weights.bits == 8) {
    if (activations == ActivationFormat::f32) {
      return refuse(
          "INT8 weights need int8 activations (int8-static or int8-dynamic): there is no "
          "INT8-weight kernel for FP32 activations; use INT4 for weight-only quantization");
    }
    if (!weights.symmetric) {
      return refuse("the INT8 kernels take symmetric weights (zero point 0)");
    }
    if (weights.granularity == Granularity::per_group) {
      return refuse("the INT8 kernels take per-tensor or per-channel weights, not per-group");
    }
    if (k > kMaxExactInt8K) {
      return refuse("K = " + std::to_string(k) + " exceeds " + std::to_string(kMaxExactInt8K) +
                    ", beyond which an INT8 dot product can overflow int32 (Eq. 15)");
    }
    return {};
  }
  if (weights.bits == 4) {
    if (weights.granularity == Granularity::per_group && weights.group_size < k &&
        weights.group_size % kIntBlockK != 0) {
      return refuse("group size " + std::to_string(weights.group_size) +
                    " — the INT4 kernels need a multiple of " + std::to_string(kIntBlockK) +
                    " (or a group covering the whole row, K = " + std::to_string(k) + ")");
    }
    return {};
  }
  return refuse("bits must be 8 or 4, got " + std::to_string(weights.bits));
}

}  // namespace quantlab::kernels
