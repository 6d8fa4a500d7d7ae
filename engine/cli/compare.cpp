// `quantlab compare BASE.json NEW.json`: what changed per plan between two reports, and the gate
// (docs/report.md, "Comparing reports and the gate").
#include <iostream>

#include "command.h"
#include "gate.h"
#include "quantlab/error.h"

namespace quantlab::cli {
namespace {

int run_compare(const std::vector<std::string>& args) {
  std::vector<std::string> known = {"format", "out"};
  known.insert(known.end(), kThresholdOptions.begin(), kThresholdOptions.end());
  const Arguments parsed = parse_arguments(args, known);
  require(parsed.positional.size() == 2, "compare needs two reports: BASE.json NEW.json");
  const std::string format = parsed.option("format", "md");
  require(format == "md" || format == "json", "--format must be md or json, got '" + format + "'");
  const eval::GateThresholds thresholds = gate_thresholds(parsed);
  const auto comparison = eval::compare_reports(read_report(parsed.positional[0]),
                                                read_report(parsed.positional[1]), thresholds);
  const std::string text =
      format == "json" ? comparison.dump(2) + "\n" : eval::comparison_markdown(comparison);
  const std::string out = parsed.option("out", "");
  write_output(text, out, "compare");
  // The verdict goes to stderr too unless the Markdown, which ends with it, went to stdout.
  if (format == "json" || !out.empty()) std::cerr << eval::gate_summary(comparison);
  return comparison["gate"]["passed"].get<bool>() ? 0 : kGateFailed;
}

const bool registered = register_command(
    {"compare",
     "<BASE.json> <NEW.json> [--format md|json] [--out FILE] [--max-decay POINTS] "
     "[--max-size RATIO] [--min-speedup RATIO] [--alpha P]",
     "what changed per plan between two reports (McNemar on paired predictions); exits 3 when "
     "a threshold is crossed",
     run_compare});

}  // namespace
}  // namespace quantlab::cli
