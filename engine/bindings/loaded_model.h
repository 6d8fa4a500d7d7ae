// The model handle JS holds (models.cpp registers it; train.cpp returns new ones) and the
// conversion of JS u8 images into its network input, shared by every binding that runs a model.
#pragma once

#include <emscripten/val.h>

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
// to_network_input then checks against the model's image size. rows and cols are read as
// doubles: a JS number above 2^32 must reach the engine's limit check, not wrap in a 32-bit
// size_t (the library has already checked they are safe non-negative integers).
inline Tensor network_input(const InputSpec& input, const emscripten::val& images,
                            const emscripten::val& image_size) {
  std::vector<uint64_t> image_dims;
  if (!image_size.isNull() && !image_size.isUndefined()) {
    for (const char* key : {"rows", "cols"}) {
      const double value = image_size[key].as<double>();
      require(value >= 0 && value <= 9007199254740991.0,
              std::string("images' ") + key + " must be a non-negative safe integer");
      image_dims.push_back(static_cast<uint64_t>(value));
    }
  }
  return pixels_to_network_input(from_typed_array<uint8_t>(images), image_dims, input);
}

}  // namespace quantlab::bindings
