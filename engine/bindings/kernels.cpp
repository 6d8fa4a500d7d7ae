// Embind surface of kernel selection (quantlab/kernels.h): installing the relaxed-SIMD kernels
// module and naming the kernels that run. Translation only.
#include "quantlab/kernels.h"

#include <emscripten/bind.h>

#include <string>
#include <vector>

#include "typed_arrays.h"

namespace quantlab::bindings {
namespace {

bool install_relaxed_simd(const emscripten::val& module_bytes) {
  const std::vector<uint8_t> bytes = from_typed_array<uint8_t>(module_bytes);
  return kernels::install_relaxed_simd(bytes.data(), bytes.size());
}

std::string simd_kernels() { return kernels::simd_kernels_name(); }

}  // namespace

EMSCRIPTEN_BINDINGS(quantlab_kernels) {
  emscripten::function("installRelaxedSimd", &install_relaxed_simd);
  emscripten::function("simdKernels", &simd_kernels);
}

}  // namespace quantlab::bindings
