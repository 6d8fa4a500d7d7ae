#include <algorithm>

#include "quantlab/quant_layout.h"

namespace quantlab {

RunLayout::RunLayout(const Shape& shape, const QuantScheme& scheme)
    : shape_(shape), scheme_(scheme), rows_(shape.rows()), row_length_(shape.row_length()) {
  validate_scheme(scheme, shape);
  if (scheme.granularity == Granularity::per_channel) {
    channels_ = shape[scheme.axis];
    for (size_t a = scheme.axis + 1; a < shape.rank(); ++a) channel_stride_ *= shape[a];
  } else if (scheme.granularity == Granularity::per_group) {
    groups_per_row_ = (row_length_ + scheme.group_size - 1) / scheme.group_size;
  }
}

size_t RunLayout::parameter_count() const {
  switch (scheme_.granularity) {
    case Granularity::per_tensor:
      return 1;
    case Granularity::per_channel:
      return channels_;
    case Granularity::per_group:
      return rows_ * groups_per_row_;
  }
  return 1;
}

size_t RunLayout::param_index(size_t i) const {
  switch (scheme_.granularity) {
    case Granularity::per_tensor:
      return 0;
    case Granularity::per_channel:
      return (i / channel_stride_) % channels_;
    case Granularity::per_group:
      return i / row_length_ * groups_per_row_ + i % row_length_ / scheme_.group_size;
  }
  return 0;
}

size_t RunLayout::byte_offset(size_t offset) const {
  if (scheme_.bits == 8) return offset;
  const size_t row_bytes = storage_bytes(DType::i4, row_length_);
  return offset / row_length_ * row_bytes + offset % row_length_ / 2;
}

size_t RunLayout::payload_bytes() const {
  return scheme_.bits == 8 ? shape_.element_count() : rows_ * storage_bytes(DType::i4, row_length_);
}

size_t RunLayout::run_length(size_t offset) const {
  const size_t to_row_end = row_length_ - offset % row_length_;
  switch (scheme_.granularity) {
    case Granularity::per_tensor:
      // 8-bit data is one run; 4-bit runs stop at row ends, where the packing pads.
      return scheme_.bits == 8 ? shape_.element_count() - offset : to_row_end;
    case Granularity::per_channel:
      return channel_stride_ - offset % channel_stride_;
    case Granularity::per_group:
      return std::min(to_row_end, scheme_.group_size - offset % row_length_ % scheme_.group_size);
  }
  return 1;
}

}  // namespace quantlab
