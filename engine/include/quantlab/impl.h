// Which implementation of a numeric routine runs. Every family has a scalar reference (the
// oracle: plain loops, never optimised) and a WebAssembly SIMD128 version; tests compare them.
// The integer GEMMs also have relaxed-SIMD versions (kernels.h: install_relaxed_simd); a routine
// without one runs its SIMD128 version for Impl::relaxed.
#pragma once

#include <cstdint>

namespace quantlab {

enum class Impl : uint8_t {
  ref,       // scalar reference
  wasmsimd,  // wasm_simd128.h intrinsics (natively through SIMDe)
  relaxed,   // relaxed-SIMD dot products where a kernel has them, else wasmsimd
  fastest,   // per call, relaxed where it measured faster than wasmsimd
             // (kernels/relaxed_kernels.cpp)
};

inline const char* impl_name(Impl impl) {
  switch (impl) {
    case Impl::ref:
      return "ref";
    case Impl::wasmsimd:
      return "wasmsimd";
    case Impl::relaxed:
      return "relaxed";
    case Impl::fastest:
      return "fastest";
  }
  return "unknown";
}

}  // namespace quantlab
