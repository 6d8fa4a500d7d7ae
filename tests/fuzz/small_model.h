// The small convolutional model the quantize-and-run target fuzzes plans on, and the seed
// corpus's model files are made of: every layer kind a plan can reach, in a few thousand
// multiply-adds.
#pragma once

#include <cstdint>
#include <string>

#include "quantlab/nn.h"
#include "quantlab/tensor.h"

namespace quantlab::fuzz {

// Deterministic values in [-1, 1) (a 32-bit LCG): every run sees the same model and inputs.
inline void fill(Tensor& tensor, uint32_t seed) {
  for (float& value : tensor.values<float>()) {
    seed = seed * 1664525u + 1013904223u;
    value = static_cast<float>(seed >> 8) / static_cast<float>(1u << 23) - 1.0f;
  }
}

// [1, 8, 8] → conv 3×3 (4 channels) → batchnorm → relu → maxpool 2 → conv 1×1 → flatten →
// linear 36 → 10.
inline nn::Model small_model() {
  nn::Model model;
  model.input_shape = Shape{1, 8, 8};
  model.layers = {
      nn::conv2d("conv1", 1, 4, 3), nn::batchnorm("bn1", 4),      nn::relu("relu1"),
      nn::maxpool2d("pool1", 2, 2), nn::conv2d("conv2", 4, 4, 1), nn::flatten("flatten"),
      nn::linear("fc", 36, 10)};
  nn::allocate_parameters(model);
  uint32_t seed = 1;
  for (auto& [name, tensor] : model.parameters) {
    // Batchnorm variances stay 1: a negative variance is no model anyone trained.
    if (name.find("running_var") == std::string::npos) fill(tensor, seed++);
  }
  return model;
}

}  // namespace quantlab::fuzz
