// Embind surface of comparing two reports and the regression gate (quantlab/eval_compare.h):
// reports and the comparison travel as JSON text (docs/report.md); thresholds as
// {maxDecay, maxSize, minSpeedup, alpha}, each optional.
#include <emscripten/bind.h>

#include <string>

#include "guard.h"
#include "quantlab/eval_compare.h"

namespace quantlab::bindings {
namespace {

using nlohmann::ordered_json;

std::optional<double> optional_number(const nlohmann::json& options, const char* key) {
  if (!options.contains(key) || options[key].is_null()) return std::nullopt;
  return options[key].get<double>();
}

std::string compare_reports_js(const std::string& base, const std::string& next,
                               const std::string& thresholds_json) {
  const nlohmann::json options = nlohmann::json::parse(thresholds_json);
  eval::GateThresholds thresholds;
  thresholds.max_decay_points = optional_number(options, "maxDecay");
  thresholds.max_size_ratio = optional_number(options, "maxSize");
  thresholds.min_speedup_ratio = optional_number(options, "minSpeedup");
  thresholds.alpha = optional_number(options, "alpha").value_or(thresholds.alpha);
  return eval::compare_reports(ordered_json::parse(base), ordered_json::parse(next), thresholds)
      .dump();
}

std::string comparison_markdown_js(const std::string& comparison) {
  return eval::comparison_markdown(ordered_json::parse(comparison));
}

std::string gate_summary_js(const std::string& comparison) {
  return eval::gate_summary(ordered_json::parse(comparison));
}

}  // namespace

EMSCRIPTEN_BINDINGS(quantlab_compare) {
  using emscripten::function;
  function("compareReports", guarded<&compare_reports_js>);
  function("comparisonMarkdown", guarded<&comparison_markdown_js>);
  function("gateSummary", guarded<&gate_summary_js>);
}

}  // namespace quantlab::bindings
