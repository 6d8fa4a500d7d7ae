// User pixels to network input (pixels_to_network_input, what every library call that takes
// images runs): a fuzzed model input spec and image size, the rest of the input as pixels.
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>

#include "fuzz_input.h"
#include "quantlab/io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quantlab;
  FuzzedDataProvider provider(data, size);
  InputSpec input;
  // A model's input as a manifest may state it (io checks each dim when it reads the file).
  if (provider.ConsumeBool()) {  // flat, made of rows × cols images
    input.image_shape = {provider.ConsumeIntegralInRange<size_t>(1, 64),
                         provider.ConsumeIntegralInRange<size_t>(1, 64)};
    input.shape = {input.image_shape[0] * input.image_shape[1]};
  } else {
    const size_t rank = provider.ConsumeIntegralInRange<size_t>(1, 3);
    for (size_t i = 0; i < rank; ++i) {
      input.shape.push_back(provider.ConsumeIntegralInRange<size_t>(1, 64));
    }
  }
  // Sizes as a caller sends them: anything a JS safe integer holds, or none.
  std::vector<uint64_t> image_size;
  const int size_kind = provider.ConsumeIntegralInRange(0, 2);
  if (size_kind == 1) {
    image_size = {provider.ConsumeIntegral<uint64_t>() >> 11,
                  provider.ConsumeIntegral<uint64_t>() >> 11};
  } else if (size_kind == 2) {
    image_size = {provider.ConsumeIntegralInRange<uint64_t>(0, 80),
                  provider.ConsumeIntegralInRange<uint64_t>(0, 80)};
  }
  const std::vector<uint8_t> pixels = provider.ConsumeRemainingBytes<uint8_t>();
  fuzz::reject_cleanly([&] {
    const Tensor batch = pixels_to_network_input(pixels, image_size, input);
    fuzz::require_property(batch.element_count() == pixels.size(), "one input value per pixel");
    for (const float value : batch.values<float>()) {
      fuzz::require_property(std::isfinite(value), "finite network input");
    }
  });
  return 0;
}
