// What every fuzz target shares: how an input is cut into files, and what counts as a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>
#include <utility>

#include "quantlab/error.h"

namespace quantlab::fuzz {

using Bytes = std::span<const uint8_t>;

// Runs `parse`. Rejecting the input with the engine's InvalidArgument is the expected outcome
// for most inputs; any other exception escapes and libFuzzer reports it (an error the library
// could not name), as it does a crash, a leak, a sanitizer report or a slow input.
template <class Parse>
void reject_cleanly(Parse&& parse) {
  try {
    parse();
  } catch (const InvalidArgument&) {
  }
}

// A property the engine promises that the input broke: abort, so libFuzzer saves the input.
inline void require_property(bool holds, const char* property) {
  if (holds) return;
  std::fprintf(stderr, "fuzz property broken: %s\n", property);
  std::abort();
}

// A model's two files in one input: the manifest up to the first NUL byte (JSON text never holds
// one), the weights after it. Without a NUL, the weights are empty.
inline std::pair<Bytes, Bytes> split_manifest_and_weights(const uint8_t* data, size_t size) {
  const Bytes all(data, size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const size_t nul = text.find('\0');
  if (nul == std::string_view::npos) return {all, {}};
  return {all.first(nul), all.subspan(nul + 1)};
}

}  // namespace quantlab::fuzz
