// The shipped models and their dataset splits (built by scripts/build.sh into build/data/), for
// tests that run real models.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "quantlab/io.h"
#include "quantlab/nn.h"

namespace quantlab::testing {

inline const std::filesystem::path kRoot = QUANTLAB_SOURCE_DIR;

// The shipped image classifiers (the language models, models/*-lm, are read by io_lm.h).
inline std::vector<std::string> shipped_models() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kRoot / "models")) {
    if (std::filesystem::exists(entry.path() / kWeightsFileName) &&
        !entry.path().filename().string().ends_with("-lm")) {
      names.push_back(entry.path().filename().string());
    }
  }
  return names;
}

// A shipped model and its manifest.
struct Shipped {
  nn::Model model;
  ModelManifest manifest;
};

inline Shipped load_shipped(const std::string& name) {
  Shipped s;
  s.model = load_model((kRoot / "models" / name).string(), s.manifest);
  return s;
}

// The first `limit` examples of a split of the model's dataset, as network inputs.
inline nn::Examples shipped_examples(const ModelManifest& manifest, const std::string& split,
                                     size_t limit = SIZE_MAX) {
  const Dataset data =
      read_idx_dataset((kRoot / "build" / "data" / manifest.dataset).string(), split);
  const size_t count = std::min(limit, data.size());
  const size_t pixels = data.images.element_count() / data.size();
  Tensor images(DType::u8, Shape{count, data.images.shape()[1], data.images.shape()[2]});
  std::copy_n(data.images.bytes(), count * pixels, images.bytes());
  nn::Examples examples{to_network_input(images, manifest.input), {}};
  for (size_t i = 0; i < count; ++i) examples.labels.push_back(data.labels.values<uint8_t>()[i]);
  return examples;
}

}  // namespace quantlab::testing
