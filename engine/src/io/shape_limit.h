// Shapes read from files, checked against kMaxTensorElements before anything multiplies them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace quantlab {

// `dims` as size_t once every dim and their product are at most kMaxTensorElements. The product
// is taken in 64-bit arithmetic: with 32-bit size_t (wasm) a size_t product would overflow first
// and give an error that names nothing. `what` names the file and field ("images file dims").
std::vector<size_t> limited_dims(const std::vector<uint64_t>& dims, const std::string& what);

}  // namespace quantlab
