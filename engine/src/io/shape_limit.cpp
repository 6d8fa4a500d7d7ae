#include "io/shape_limit.h"

#include "quantlab/error.h"
#include "quantlab/io.h"

namespace quantlab {
namespace {

std::string dims_text(const std::vector<uint64_t>& dims) {
  std::string text = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) text += ", ";
    text += std::to_string(dims[i]);
  }
  return text + "]";
}

}  // namespace

std::vector<size_t> limited_dims(const std::vector<uint64_t>& dims, const std::string& what) {
  uint64_t count = 1;
  for (const uint64_t dim : dims) {
    // Both factors are at most kMaxTensorElements (2^28) here, so the product cannot wrap.
    if (dim > kMaxTensorElements || (count *= dim) > kMaxTensorElements) {
      throw InvalidArgument(what + " " + dims_text(dims) + " exceeds the limit of " +
                            std::to_string(kMaxTensorElements) + " elements");
    }
  }
  return {dims.begin(), dims.end()};
}

}  // namespace quantlab
