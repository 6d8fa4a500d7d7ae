// The LM's character tokenizer (nn_lm.h).
#include <array>

#include "quantlab/error.h"
#include "quantlab/nn_lm.h"

namespace quantlab::nn::lm {

Tokenizer::Tokenizer(std::string alphabet) : alphabet_(std::move(alphabet)) {
  for (size_t i = 0; i < alphabet_.size(); ++i) {
    const auto byte = static_cast<unsigned char>(alphabet_[i]);
    require(ids_[byte] == 0,
            [&] { return "tokenizer alphabet: byte " + std::to_string(byte) + " appears twice"; });
    ids_[byte] = static_cast<int32_t>(i + 1);
  }
}

Tokenizer Tokenizer::train(std::string_view text, size_t min_count) {
  std::array<size_t, 256> counts{};
  for (const char c : text) ++counts[static_cast<unsigned char>(c)];
  std::string alphabet;
  for (size_t byte = 0; byte < counts.size(); ++byte) {
    if (counts[byte] >= min_count && counts[byte] > 0) alphabet += static_cast<char>(byte);
  }
  return Tokenizer(std::move(alphabet));
}

std::vector<int32_t> Tokenizer::encode(std::string_view text) const {
  std::vector<int32_t> ids;
  ids.reserve(text.size());
  for (const char c : text) ids.push_back(ids_[static_cast<unsigned char>(c)]);
  return ids;
}

std::string Tokenizer::decode(std::span<const int32_t> ids) const {
  std::string text;
  text.reserve(ids.size());
  for (const int32_t id : ids) {
    require(id >= 0 && static_cast<size_t>(id) < size(), [&] {
      return "token id " + std::to_string(id) + " is outside the vocabulary [0, " +
             std::to_string(size()) + ")";
    });
    text += id == 0 ? '?' : alphabet_[static_cast<size_t>(id) - 1];
  }
  return text;
}

}  // namespace quantlab::nn::lm
