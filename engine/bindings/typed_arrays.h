// Copies between engine buffers and JS typed arrays. Results are always copied out: a view
// into wasm memory would dangle as soon as the buffer is freed or memory grows.
#pragma once

#include <emscripten/val.h>

#include <span>
#include <vector>

namespace quantlab::bindings {

// A new typed array of T's kind (Float32Array for float, ...) holding a copy of values.
template <typename T>
emscripten::val to_typed_array(std::span<const T> values) {
  return emscripten::val(emscripten::typed_memory_view(values.size(), values.data()))
      .call<emscripten::val>("slice");
}

// Copy of a JS typed array or array of numbers; each element goes through Number().
template <typename T>
std::vector<T> from_typed_array(const emscripten::val& array) {
  return emscripten::convertJSArrayToNumberVector<T>(array);
}

}  // namespace quantlab::bindings
