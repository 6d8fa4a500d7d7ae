// A small language model with varied, deterministic weights for tests below the trainer, and the
// shipped one.
#pragma once

#include <cmath>
#include <filesystem>

#include "quantlab/nn_lm.h"

namespace quantlab::testing {

// vocab 5 ("abcd" + unknown), context 8, 2 heads, 2 blocks; by default width 32 and MLP 64, so
// every Linear has a reduction of 32 or 64 and INT4 groups of 32 apply.
inline nn::lm::LanguageModel small_language_model(size_t width = 32, size_t hidden = 64) {
  nn::lm::LanguageModel model;
  model.config = {
      .vocab = 5, .context = 8, .width = width, .heads = 2, .layers = 2, .hidden = hidden};
  model.tokenizer = nn::lm::Tokenizer("abcd");
  nn::lm::allocate_parameters(model);
  size_t i = 0;
  for (auto& [name, tensor] : model.parameters) {
    for (float& v : tensor.values<float>()) v += 0.3f * std::sin(0.7f * static_cast<float>(i++));
  }
  return model;
}

}  // namespace quantlab::testing
