// Plan JSON (parse_plan): any text. What parses must write back to JSON that parses to the
// same plan.
#include "fuzz_input.h"
#include "quantlab/io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quantlab;
  fuzz::reject_cleanly([&] {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const quantization::Plan plan = parse_plan(text, "plan.json");
    fuzz::require_property(parse_plan(plan_to_json(plan).dump(), "plan.json") == plan,
                           "parse_plan(plan_to_json(p)) == p");
  });
  return 0;
}
