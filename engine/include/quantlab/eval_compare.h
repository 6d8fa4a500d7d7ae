// Comparing two reports (docs/report.md, "Comparing reports and the gate"): what changed per plan
// between a baseline report and a new one, with McNemar's exact test on the paired predictions
// when both reports were measured on the same test images, and the regression gate of
// `quantlab report --baseline` and `quantlab compare`.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace quantlab::eval {

// What the gate checks; an unset threshold is not checked. Rows (FP32 and plans) are matched by
// name.
struct GateThresholds {
  // Every plan of the new report: its decay_points (FP32 accuracy − plan accuracy, both in the
  // new report, in points) ≤ this.
  std::optional<double> max_decay_points;
  // Every row in both reports: new weight_bytes ÷ baseline weight_bytes ≤ this.
  std::optional<double> max_size_ratio;
  // Every plan in both reports: new speedup_batch ÷ baseline speedup_batch ≥ this (each speedup
  // is FP32's time over the plan's in its own run, batch 256; absolute times never cross reports).
  // A report measured without speed fails this check.
  std::optional<double> min_speedup_ratio;
  // Every row in both reports whose predictions pair (same test set): fails when the new row is
  // less accurate and McNemar's exact p < alpha. In (0, 1).
  double alpha = 0.05;
};

// Throws InvalidArgument, naming `which` ("baseline"), unless `report` is a version-1 quantlab
// report whose labels and predictions (when it carries them) match its test set.
void validate_report(const nlohmann::ordered_json& report, const std::string& which);

// The comparison (format "quantlab-comparison", version 1; docs/report.md) of `next` against
// `base`, with the gate's outcome under `thresholds`. Throws InvalidArgument for a document that
// is not a version-1 quantlab report, or whose predictions do not match its test set.
nlohmann::ordered_json compare_reports(const nlohmann::ordered_json& base,
                                       const nlohmann::ordered_json& next,
                                       const GateThresholds& thresholds = {});

// The comparison as Markdown: the sources, one table row per plan, then the gate.
std::string comparison_markdown(const nlohmann::ordered_json& comparison);
// The gate's verdict in a few lines: "quantlab gate: passed ..." or "quantlab gate: FAILED ..."
// and one line per failed check.
std::string gate_summary(const nlohmann::ordered_json& comparison);

}  // namespace quantlab::eval
