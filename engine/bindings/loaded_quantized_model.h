// The quantized model handle JS holds (quantization.cpp registers it; logits.cpp runs it): a
// quantized model with the manifest of the model it came from.
#pragma once

#include "quantlab/io.h"
#include "quantlab/quantize.h"

namespace quantlab::bindings {

struct LoadedQuantizedModel {
  quantization::QuantizedModel quantized;
  ModelManifest manifest;
};

}  // namespace quantlab::bindings
