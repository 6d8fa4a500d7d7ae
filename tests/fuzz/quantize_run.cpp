// The quantize-and-run path with fuzzed plans: any text as plan JSON, then (what parses) plan
// validation, calibration, quantization and both executors on a small convolutional model.
// Every output of a quantized model that was accepted must be finite.
#include <cmath>

#include "fuzz_input.h"
#include "quantlab/io.h"
#include "quantlab/quantize.h"
#include "small_model.h"

namespace {

quantlab::Tensor inputs(size_t count, uint32_t seed) {
  quantlab::Tensor batch(quantlab::DType::f32, quantlab::Shape{count, 1, 8, 8});
  quantlab::fuzz::fill(batch, seed);
  return batch;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quantlab;
  static const nn::Model model = fuzz::small_model();
  static const Tensor calibration = inputs(32, 100);
  static const Tensor test = inputs(4, 200);
  fuzz::reject_cleanly([&] {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const quantization::Plan plan = parse_plan(text, "plan.json");
    quantization::CalibrationOptions options;
    options.batch_size = 16;
    const quantization::QuantizedModel quantized = quantization::quantize_model(
        model, plan, quantization::calibrate(model, plan, calibration, options));
    for (const auto execution :
         {quantization::Execution::integer, quantization::Execution::simulated}) {
      const Tensor output = quantization::make_executor(quantized, execution).run(test).output;
      for (const float value : output.values<float>()) {
        fuzz::require_property(std::isfinite(value), "finite outputs of a quantized model");
      }
    }
  });
  return 0;
}
