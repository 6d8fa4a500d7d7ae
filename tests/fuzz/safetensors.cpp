// safetensors header and body (parse_safetensors): any bytes. What parses must write back to
// bytes that parse to the same file (the writer's round trip).
#include "fuzz_input.h"
#include "quantlab/io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quantlab;
  fuzz::reject_cleanly([&] {
    const TensorFile file = parse_safetensors(fuzz::Bytes(data, size));
    const std::vector<uint8_t> written = serialize_safetensors(file);
    fuzz::require_property(serialize_safetensors(parse_safetensors(written)) == written,
                           "serialize(parse(serialize(f))) == serialize(f)");
  });
  return 0;
}
