// The one way a binding turns a model's two files, as JS typed arrays, into a loaded model:
// `Parse` (parse_model, parse_quantized_model, parse_language_model) reads the manifest bytes and
// the weights bytes into the member `Model` of `Loaded` and fills `Loaded::manifest`.
#pragma once

#include <emscripten/val.h>

#include <cstdint>

#include "typed_arrays.h"

namespace quantlab::bindings {

template <typename Loaded, auto Model, auto Parse>
Loaded load_files_js(emscripten::val manifest_json, emscripten::val weights) {
  Loaded loaded;
  loaded.*Model = Parse(from_typed_array<uint8_t>(manifest_json),
                        from_typed_array<uint8_t>(weights), loaded.manifest);
  return loaded;
}

}  // namespace quantlab::bindings
