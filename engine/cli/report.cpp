// `quantlab report <model dir>`: FP32 vs each plan on the test split (docs/report.md), as
// Markdown, JSON or CSV; progress on stderr.
#include <cstdio>
#include <iostream>
#include <sstream>

#include "command.h"
#include "examples.h"
#include "gate.h"
#include "lm_data.h"
#include "machine.h"
#include "model_loading.h"
#include "quantlab/error.h"

namespace quantlab::cli {
namespace {

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, ',');) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

int run_report(const std::vector<std::string>& args) {
  if (!args.empty() && is_language_model_dir(args[0])) return run_lm_report(args);
  std::vector<std::string> known = {"plans",        "format", "out",        "data",
                                    "speed-rounds", "search", "validation", "int4-methods"};
  known.insert(known.end(), kCalibrationOptions.begin(), kCalibrationOptions.end());
  known.push_back("baseline");
  known.insert(known.end(), kThresholdOptions.begin(), kThresholdOptions.end());
  const Arguments parsed = parse_arguments(args, known);
  require(parsed.positional.size() == 1, "report needs exactly one model directory");
  const std::string format = parsed.option("format", "md");
  require(format == "md" || format == "json" || format == "csv",
          "--format must be md, json or csv, got '" + format + "'");

  eval::ReportOptions options;
  std::string plans = "int8,int8-dynamic,int4-g32,int4-tensor,w4a8";
  for (const std::string& spec : split_commas(parsed.option("plans", plans))) {
    options.plans.push_back(plan_by_name_or_file(spec));
  }
  options.calibration = calibration_options(parsed);
  const std::string rounds = parsed.option("speed-rounds", "5");
  require(rounds.find_first_not_of("0123456789") == std::string::npos && !rounds.empty(),
          "--speed-rounds must be a whole number");
  options.speed.rounds = std::stoul(rounds);
  options.measure_speed = options.speed.rounds > 0;
  const GateRequest gate = gate_request(parsed);  // the baseline is checked before any work
  ModelManifest manifest;
  const nn::Model model = load_model(parsed.positional[0], manifest);
  options.model_name = manifest.name;
  options.dataset = manifest.dataset;
  options.machine = native_machine();
  options.command = "quantlab report";
  for (const std::string& a : args) options.command += " " + a;

  const std::string data = parsed.option("data", default_data_dir(manifest.dataset));
  const nn::Examples train = load_examples(data, "train", manifest.input);
  const nn::Examples test = load_examples(data, "test", manifest.input);
  const std::string int4_methods = parsed.option("int4-methods", "no");
  require(int4_methods == "yes" || int4_methods == "no",
          "--int4-methods must be yes or no, got '" + int4_methods + "'");
  options.int4_methods = int4_methods == "yes";
  const std::string budget = parsed.option("search", "");
  if (!budget.empty()) options.search_budget = eval::parse_budget(budget);
  const std::string validation =
      parsed.option("validation", budget.empty() && !options.int4_methods ? "0" : "5000");
  require(!validation.empty() && validation.find_first_not_of("0123456789") == std::string::npos,
          "--validation must be a whole number, got '" + validation + "'");
  if (validation != "0") options.validation = eval::validation_slice(train, std::stoul(validation));
  std::string last_stage;
  const auto json =
      eval::report(model, test, train.inputs, options, [&](const eval::ReportProgress& p) {
        if (p.stage != last_stage) std::cerr << "quantlab report: " << p.stage << "\n";
        last_stage = p.stage;
        return true;
      });
  const std::string text = format == "json"  ? json.dump(2) + "\n"
                           : format == "csv" ? eval::report_csv(json)
                                             : eval::report_markdown(json);
  const std::string out = parsed.option("out", "");
  write_output(text, out, "report");
  return gate.run(json);
}

const bool registered = register_command(
    {"report",
     "<model dir> [--plans a,b,...] [--calib ...] [--format md|json|csv] [--out FILE] "
     "[--speed-rounds N] [--data DIR] [--int4-methods yes] [--search BUDGET] [--validation N] "
     "[--baseline BASE.json [--max-decay POINTS] [--max-size RATIO] [--min-speedup RATIO] "
     "[--alpha P]]",
     "FP32 vs quantized plans on the test split: accuracy, decay, agreement, error, size, speed; "
     "with --baseline, the regression gate (exits 3 when a threshold is crossed)",
     run_report});

}  // namespace
}  // namespace quantlab::cli
