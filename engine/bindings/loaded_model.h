// The model handle JS holds (models.cpp registers it; train.cpp returns new ones) and the
// conversion of JS u8 images into its network input, shared by every binding that runs a model.
#pragma once

#include <emscripten/val.h>

#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "quantlab/error.h"
#include "quantlab/io.h"
#include "quantlab/nn.h"
#include "typed_arrays.h"

namespace quantlab::bindings {

// An executor built on first use and then kept: building one folds the model and packs every
// weight, which cost more than a batch-1 run (fashion-mlp: 2.1 ms per call against 0.2 ms).
// A copy starts empty, since the copy's weights may then change (training copies a model).
class ExecutorCache {
 public:
  ExecutorCache() = default;
  ExecutorCache(const ExecutorCache&) {}
  ExecutorCache& operator=(const ExecutorCache&) {
    executor_.reset();
    return *this;
  }

  template <typename Build>
  const nn::Executor& get(Build&& build) const {
    if (!executor_) executor_ = std::make_unique<nn::Executor>(build());
    return *executor_;
  }

 private:
  mutable std::unique_ptr<nn::Executor> executor_;
};

// A model with the manifest it was loaded from.
struct LoadedModel {
  nn::Model model;
  ModelManifest manifest;
  ExecutorCache cache;

  const nn::Executor& executor() const {
    return cache.get([&] { return nn::Executor(model); });
  }
};

// u8 images as normalized network inputs. image_size is null (each image is the model's input
// size, flattened: nothing beyond the pixel count can be checked) or {rows, cols}, which
// to_network_input then checks against the model's image size.
inline Tensor network_input(const InputSpec& input, const emscripten::val& images,
                            const emscripten::val& image_size) {
  const std::vector<uint8_t> pixels = from_typed_array<uint8_t>(images);
  std::vector<size_t> image_dims = {Shape(input.shape).element_count()};
  if (!image_size.isNull() && !image_size.isUndefined()) {
    image_dims = {image_size["rows"].as<size_t>(), image_size["cols"].as<size_t>()};
  }
  const size_t per_image = Shape(image_dims).element_count();
  require(per_image > 0 && pixels.size() % per_image == 0,
          "images hold " + std::to_string(pixels.size()) + " bytes, not a whole number of " +
              std::to_string(per_image) + "-pixel images");
  std::vector<size_t> dims = {pixels.size() / per_image};
  dims.insert(dims.end(), image_dims.begin(), image_dims.end());
  Tensor batch(DType::u8, Shape(std::move(dims)));
  if (!pixels.empty()) std::memcpy(batch.bytes(), pixels.data(), pixels.size());
  return to_network_input(batch, input);
}

}  // namespace quantlab::bindings
