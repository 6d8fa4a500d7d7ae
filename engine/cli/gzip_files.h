// Reading dataset files that may be gzipped (as Debian ships Fashion-MNIST and the app's assets
// are). Decompression lives in the CLI: the engine library takes raw bytes and links no zlib.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace quantlab::cli {

// Contents of `path`; when only `path`.gz exists, that file gunzipped.
std::vector<uint8_t> read_maybe_gzipped(const std::string& path);

}  // namespace quantlab::cli
