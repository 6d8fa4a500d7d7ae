// Budgets as text, and the sensitivity table and search result as report JSON (docs/report.md).
#include <cmath>
#include <cstdio>

#include "eval/markdown.h"
#include "quantlab/error.h"
#include "quantlab/eval.h"
#include "quantlab/io.h"

namespace quantlab::eval {

using markdown::finite_or_null;
using nlohmann::ordered_json;

Budget parse_budget(const std::string& text) {
  // Longest suffixes first, so that "KB" is not read as "B".
  static const std::vector<std::pair<std::string, std::pair<Budget::Kind, double>>> units = {
      {"bpw", {Budget::Kind::bits_per_weight, 1}},
      {"KB", {Budget::Kind::bytes, 1e3}},
      {"MB", {Budget::Kind::bytes, 1e6}},
      {"%", {Budget::Kind::min_accuracy, 1}},
      {"B", {Budget::Kind::bytes, 1}}};
  for (const auto& [suffix, unit] : units) {
    if (!text.ends_with(suffix)) continue;
    const std::string number = text.substr(0, text.size() - suffix.size());
    size_t used = 0;
    double value = 0;
    try {
      value = std::stod(number, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    require(used == number.size() && !number.empty() && std::isfinite(value) && value > 0,
            "budget '" + text + "': expected a positive number before '" + suffix + "'");
    return {unit.first, value * unit.second};
  }
  throw InvalidArgument("budget '" + text +
                        "': give bits per weight (5bpw), a size (300KB, 1.2MB, 250000B) or an "
                        "accuracy floor (91.5%)");
}

std::string budget_text(const Budget& budget) {
  char text[64];
  switch (budget.kind) {
    case Budget::Kind::bits_per_weight:
      std::snprintf(text, sizeof text, "%gbpw", budget.value);
      break;
    case Budget::Kind::bytes:
      std::snprintf(text, sizeof text, "%.0fB", budget.value);
      break;
    case Budget::Kind::min_accuracy:
      std::snprintf(text, sizeof text, "%g%%", budget.value);
      break;
  }
  return text;
}

ordered_json sensitivity_json(const Sensitivity& sensitivity) {
  ordered_json rows = ordered_json::array();
  for (const LayerSensitivity& r : sensitivity.rows) {
    rows.push_back({{"layer", r.layer},
                    {"choice", r.choice},
                    {"accuracy_drop_points", r.accuracy_drop_points},
                    {"kl_mean", r.kl_mean},
                    {"output_sqnr_db", finite_or_null(r.output_sqnr_db)},
                    {"bytes", r.bytes},
                    {"bytes_saved", r.bytes_saved}});
  }
  return {{"source", "validation slice of the training split"},
          {"validation_examples", sensitivity.validation_examples},
          {"fp32_accuracy", sensitivity.fp32_accuracy},
          {"rows", rows}};
}

ordered_json search_json(const SearchResult& result, const Budget& budget) {
  ordered_json plans = ordered_json::array();
  for (size_t i = 0; i < result.measured.size(); ++i) {
    const MeasuredPlan& m = result.measured[i];
    plans.push_back({{"name", m.plan.name},
                     {"stage", m.stage},
                     {"weight_bytes", m.weight_bytes},
                     {"bits_per_weight", m.bits_per_weight},
                     {"accuracy", m.accuracy},
                     {"drop_points", m.drop_points},
                     {"predicted_drop_points", m.predicted_drop_points},
                     {"kl_mean", m.kl_mean},
                     {"output_sqnr_db", finite_or_null(m.output_sqnr_db)},
                     {"plan", plan_to_json(m.plan)}});
  }
  return {{"source", "validation slice of the training split"},
          {"validation_examples", result.sensitivity.validation_examples},
          {"budget", budget_text(budget)},
          {"budget_met", result.budget_met},
          {"chosen", result.chosen},
          {"front", result.front},
          {"plans", plans}};
}

}  // namespace quantlab::eval
