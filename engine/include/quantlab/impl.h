// Which implementation of a numeric routine runs. Every family has a scalar reference (the
// oracle: plain loops, never optimised) and a WebAssembly SIMD128 version; tests compare them.
#pragma once

#include <cstdint>

namespace quantlab {

enum class Impl : uint8_t {
  ref,       // scalar reference
  wasmsimd,  // wasm_simd128.h intrinsics (natively through SIMDe)
};

inline const char* impl_name(Impl impl) { return impl == Impl::ref ? "ref" : "wasmsimd"; }

}  // namespace quantlab
