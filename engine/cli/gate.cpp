#include "gate.h"

#include <cmath>
#include <iostream>

#include "quantlab/error.h"
#include "quantlab/io.h"

namespace quantlab::cli {
namespace {

std::optional<double> positive_number(const Arguments& args, const std::string& name) {
  const std::string text = args.option(name, "");
  if (text.empty()) return std::nullopt;
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  require(used == text.size() && std::isfinite(value) && value >= 0,
          "--" + name + " must be a non-negative number, got '" + text + "'");
  return value;
}

}  // namespace

eval::GateThresholds gate_thresholds(const Arguments& args) {
  eval::GateThresholds thresholds;
  thresholds.max_decay_points = positive_number(args, "max-decay");
  thresholds.max_size_ratio = positive_number(args, "max-size");
  thresholds.min_speedup_ratio = positive_number(args, "min-speedup");
  thresholds.alpha = positive_number(args, "alpha").value_or(thresholds.alpha);
  return thresholds;
}

nlohmann::ordered_json read_report(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  nlohmann::ordered_json report;
  try {
    report = nlohmann::ordered_json::parse(bytes.begin(), bytes.end());
  } catch (const nlohmann::json::exception& e) {
    throw InvalidArgument(path + ": not JSON: " + e.what());
  }
  try {
    eval::validate_report(report, "report");
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(path + ": " + e.what());
  }
  return report;
}

GateRequest gate_request(const Arguments& args) {
  GateRequest request;
  request.thresholds = gate_thresholds(args);
  const std::string baseline = args.option("baseline", "");
  if (baseline.empty()) {
    for (const std::string& name : kThresholdOptions) {
      require(args.option(name, "").empty(), "--" + name + " needs --baseline FILE");
    }
    return request;
  }
  require(request.thresholds.alpha > 0 && request.thresholds.alpha < 1,
          "--alpha must be in (0, 1)");
  request.baseline = read_report(baseline);
  return request;
}

int GateRequest::run(const nlohmann::ordered_json& report) const {
  if (!baseline) return 0;
  const nlohmann::ordered_json comparison = eval::compare_reports(*baseline, report, thresholds);
  std::cerr << eval::comparison_markdown(comparison);
  return comparison["gate"]["passed"].get<bool>() ? 0 : kGateFailed;
}

}  // namespace quantlab::cli
