#include <string>

#include "quantlab/error.h"
#include "quantlab/quant.h"

namespace quantlab {

const char* granularity_name(Granularity granularity) {
  switch (granularity) {
    case Granularity::per_tensor:
      return "per-tensor";
    case Granularity::per_channel:
      return "per-channel";
    case Granularity::per_group:
      return "per-group";
  }
  return "unknown";
}

std::string QuantScheme::to_string() const {
  std::string text = "INT" + std::to_string(bits) + (symmetric ? " symmetric " : " asymmetric ") +
                     granularity_name(granularity);
  if (granularity == Granularity::per_channel) text += " (axis " + std::to_string(axis) + ")";
  if (granularity == Granularity::per_group) text += " (group " + std::to_string(group_size) + ")";
  return text;
}

void validate_scheme(const QuantScheme& scheme, const Shape& shape) {
  require(scheme.bits == 8 || scheme.bits == 4,
          "bits must be 8 or 4, got " + std::to_string(scheme.bits));
  require(shape.element_count() > 0,
          "cannot quantize an empty tensor (shape " + shape.to_string() + ")");
  switch (scheme.granularity) {
    case Granularity::per_tensor:
      break;
    case Granularity::per_channel:
      require(scheme.axis < shape.rank(), "per-channel axis " + std::to_string(scheme.axis) +
                                              " is out of range for shape " + shape.to_string());
      // 4-bit rows are packed whole, so their channels must be the rows (the output channel).
      require(scheme.bits == 8 || (scheme.axis == 0 && shape.rank() >= 2),
              "INT4 per-channel quantizes rows: it needs axis 0 of a tensor of rank >= 2, got "
              "axis " +
                  std::to_string(scheme.axis) + " of shape " + shape.to_string());
      break;
    case Granularity::per_group:
      require(scheme.group_size > 0, "group size must be positive");
      // Groups must start on byte boundaries of the packed row.
      require(scheme.bits == 8 || scheme.group_size % 2 == 0,
              "INT4 group size must be even, got " + std::to_string(scheme.group_size));
      break;
    default:
      throw InvalidArgument("unknown granularity");
  }
}

}  // namespace quantlab
