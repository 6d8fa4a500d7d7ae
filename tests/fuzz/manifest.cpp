// A model's files (parse_model): manifest.json, a NUL byte, then model.safetensors. What loads
// must save to files that load to the same model.
#include "fuzz_input.h"
#include "quantlab/io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quantlab;
  const auto files = fuzz::split_manifest_and_weights(data, size);
  fuzz::reject_cleanly([&] {
    ModelManifest manifest;
    const nn::Model model = parse_model(files.first, files.second, manifest);
    const std::string saved = serialize_manifest(model, manifest);
    const std::vector<uint8_t> saved_weights = serialize_safetensors({{}, model.parameters});
    ModelManifest reread;
    const nn::Model again =
        parse_model(fuzz::Bytes(reinterpret_cast<const uint8_t*>(saved.data()), saved.size()),
                    saved_weights, reread);
    fuzz::require_property(serialize_manifest(again, reread) == saved,
                           "a saved model loads to the same manifest");
  });
  return 0;
}
