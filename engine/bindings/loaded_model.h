// The model handle JS holds (models.cpp registers it; train.cpp returns new ones) and the
// conversion of JS u8 images into its network input, shared by every binding that runs a model.
#pragma once

#include <emscripten/val.h>

#include <cstring>
#include <string>
#include <vector>

#include "quantlab/error.h"
#include "quantlab/io.h"
#include "quantlab/nn.h"
#include "typed_arrays.h"

namespace quantlab::bindings {

// A model with the manifest it was loaded from.
struct LoadedModel {
  nn::Model model;
  ModelManifest manifest;
};

// u8 images (count × the model's input size, row-major) as normalized network inputs.
inline Tensor network_input(const LoadedModel& loaded, const emscripten::val& images) {
  const std::vector<uint8_t> pixels = from_typed_array<uint8_t>(images);
  const size_t per_image = Shape(loaded.manifest.input.shape).element_count();
  require(per_image > 0 && pixels.size() % per_image == 0,
          "images hold " + std::to_string(pixels.size()) + " bytes, not a whole number of " +
              std::to_string(per_image) + "-pixel images");
  Tensor batch(DType::u8, Shape{pixels.size() / per_image, per_image});
  if (!pixels.empty()) std::memcpy(batch.bytes(), pixels.data(), pixels.size());
  return to_network_input(batch, loaded.manifest.input);
}

}  // namespace quantlab::bindings
