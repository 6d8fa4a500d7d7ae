// User pixels (a flat byte array from JS or a picture) as the network's input batch.
#include <cstring>

#include "io/shape_limit.h"
#include "quantlab/error.h"
#include "quantlab/io.h"

namespace quantlab {

Tensor pixels_to_network_input(std::span<const uint8_t> pixels,
                               const std::vector<uint64_t>& image_size, const InputSpec& input) {
  require(
      image_size.empty() || image_size.size() == 2,
      "images' size must be {rows, cols}, got " + std::to_string(image_size.size()) + " numbers");
  // rows × cols is taken in 64 bits and bounded before anything multiplies it in size_t, which
  // has 32 bits in wasm: 70,000 × 70,000 would wrap to a small, plausible count there.
  const std::vector<size_t> image_dims =
      image_size.empty() ? std::vector<size_t>{Shape(input.shape).element_count()}
                         : limited_dims(image_size, "images' {rows, cols}");
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

}  // namespace quantlab
