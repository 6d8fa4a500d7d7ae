// How a scheme cuts a tensor into runs of consecutive elements that share one affine mapping
// (part of the quant layer, implemented in engine/src/quant/layout.cpp). Quantize, dequantize,
// the min-max pass and calibration's per-run range searches all walk the same runs, so they
// cannot disagree.
#pragma once

#include <cstddef>

#include "quantlab/quant.h"

namespace quantlab {

struct Run {
  size_t offset;  // flat row-major index of the first element
  size_t length;  // elements
  size_t param;   // index into scales / zero_points
};

class RunLayout {
 public:
  RunLayout(const Shape& shape, const QuantScheme& scheme);

  size_t parameter_count() const;
  size_t param_index(size_t i) const;
  // Byte offset of flat element `offset` in the quantized payload (4-bit: rows padded to bytes).
  size_t byte_offset(size_t offset) const;
  size_t payload_bytes() const;

  template <typename Fn>
  void for_each_run(Fn&& fn) const {
    const size_t count = shape_.element_count();
    for (size_t offset = 0; offset < count;) {
      const size_t length = run_length(offset);
      fn(Run{offset, length, param_index(offset)});
      offset += length;
    }
  }

 private:
  size_t run_length(size_t offset) const;

  Shape shape_;
  QuantScheme scheme_;
  size_t rows_;
  size_t row_length_;
  size_t channel_stride_ = 1;  // per_channel: elements per slice step along the axis
  size_t channels_ = 1;
  size_t groups_per_row_ = 1;
};

}  // namespace quantlab
