// The quantized model handle JS holds (quantization.cpp registers it; logits.cpp runs it): a
// quantized model with the manifest of the model it came from.
#pragma once

#include "loaded_model.h"
#include "quantlab/io.h"
#include "quantlab/quantize.h"

namespace quantlab::bindings {

struct LoadedQuantizedModel {
  quantization::QuantizedModel quantized;
  ModelManifest manifest;
  ExecutorCache cache;

  const nn::Executor& executor() const {
    return cache.get([&] { return quantization::make_executor(quantized); });
  }
};

}  // namespace quantlab::bindings
