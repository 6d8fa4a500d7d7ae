// The regression gate of `quantlab report --baseline` and `quantlab compare` (docs/report.md,
// "Comparing reports and the gate"): the options, the baseline, and the exit code.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "command.h"
#include "quantlab/eval_compare.h"

namespace quantlab::cli {

// Exit code of a run whose gate failed (1 stays "error", 2 "usage").
inline constexpr int kGateFailed = 3;

// --max-decay POINTS --max-size RATIO --min-speedup RATIO --alpha P.
inline const std::vector<std::string> kThresholdOptions = {"max-decay", "max-size", "min-speedup",
                                                           "alpha"};
inline constexpr const char* kThresholdUsage =
    "[--max-decay POINTS] [--max-size RATIO] [--min-speedup RATIO] [--alpha P]";
eval::GateThresholds gate_thresholds(const Arguments& args);

// A report file (JSON), checked to be a quantlab report.
nlohmann::ordered_json read_report(const std::string& path);

// `report --baseline FILE` with the thresholds, read and checked before any work.
struct GateRequest {
  std::optional<nlohmann::ordered_json> baseline;  // none: no gate
  eval::GateThresholds thresholds;
  // Compares `report` with the baseline, prints the comparison and the verdict on stderr, and
  // returns the exit code (0 without a baseline or when the gate passes, kGateFailed otherwise).
  int run(const nlohmann::ordered_json& report) const;
};
GateRequest gate_request(const Arguments& args);

}  // namespace quantlab::cli
