// A quantized model's files (parse_quantized_model): manifest.json, a NUL byte, then
// model.safetensors. What loads must run on the integer kernels and save to files that load to
// the same model.
#include "fuzz_input.h"
#include "quantlab/io.h"
#include "quantlab/quantize.h"

namespace {

// Running allocates activations in proportion to the input shape, which a file may set up to
// the element limit with no weights at all: only small inputs run here.
constexpr size_t kMaxRunElements = 1 << 16;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quantlab;
  const auto files = fuzz::split_manifest_and_weights(data, size);
  fuzz::reject_cleanly([&] {
    ModelManifest manifest;
    const quantization::QuantizedModel quantized =
        parse_quantized_model(files.first, files.second, manifest);
    const Shape sample = quantized.model.input_shape;
    if (sample.element_count() <= kMaxRunElements) {
      std::vector<size_t> dims = {2};
      dims.insert(dims.end(), sample.dims().begin(), sample.dims().end());
      quantization::make_executor(quantized).run(Tensor(DType::f32, Shape(std::move(dims))));
    }
    const std::string saved = serialize_quantized_manifest(quantized, manifest);
    const std::vector<uint8_t> saved_weights = serialize_quantized_weights(quantized);
    ModelManifest reread;
    const quantization::QuantizedModel again = parse_quantized_model(
        fuzz::Bytes(reinterpret_cast<const uint8_t*>(saved.data()), saved.size()), saved_weights,
        reread);
    fuzz::require_property(serialize_quantized_weights(again) == saved_weights,
                           "a saved quantized model loads to the same weights");
  });
  return 0;
}
