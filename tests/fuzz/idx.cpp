// IDX datasets (parse_idx_images, parse_idx_labels): any bytes, read as both kinds of file.
// What parses must write back to the same bytes.
#include "fuzz_input.h"
#include "quantlab/io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quantlab;
  const fuzz::Bytes bytes(data, size);
  fuzz::reject_cleanly([&] {
    const std::vector<uint8_t> written = serialize_idx_images(parse_idx_images(bytes));
    fuzz::require_property(std::equal(written.begin(), written.end(), bytes.begin(), bytes.end()),
                           "serialize(parse(images file)) == images file");
  });
  fuzz::reject_cleanly([&] {
    const std::vector<uint8_t> written = serialize_idx_labels(parse_idx_labels(bytes));
    fuzz::require_property(std::equal(written.begin(), written.end(), bytes.begin(), bytes.end()),
                           "serialize(parse(labels file)) == labels file");
  });
  return 0;
}
