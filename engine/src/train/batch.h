// Mini-batches of examples, shared by the FP32 trainer and QAT.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "quantlab/nn.h"

namespace quantlab::train {

// Rows `indices[begin, end)` of data as one batch; their labels into `labels`.
Tensor gather_batch(const nn::Examples& data, const Shape& sample,
                    const std::vector<size_t>& indices, size_t begin, size_t end,
                    std::vector<int32_t>& labels);

}  // namespace quantlab::train
