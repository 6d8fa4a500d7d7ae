// `quantlab search <model dir> --budget 5bpw|300KB | --min-accuracy 91.5`: sensitivity and the
// mixed-precision search on a validation slice of the training split (the test split is never
// read), prints the sensitivity table and the Pareto front, and writes the chosen plan.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "command.h"
#include "examples.h"
#include "model_loading.h"
#include "quantlab/error.h"

namespace quantlab::cli {
namespace {

int run_search(const std::vector<std::string>& args) {
  std::vector<std::string> known = {"budget", "min-accuracy", "out", "data", "validation"};
  known.insert(known.end(), kCalibrationOptions.begin(), kCalibrationOptions.end());
  const Arguments parsed = parse_arguments(args, known);
  require(parsed.positional.size() == 1, "search needs exactly one model directory");
  const std::string budget = parsed.option("budget", "");
  const std::string floor = parsed.option("min-accuracy", "");
  require(budget.empty() != floor.empty(),
          "search needs one of --budget (e.g. 5bpw, 300KB) and --min-accuracy (e.g. 91.5)");
  eval::SearchOptions options;
  options.budget = eval::parse_budget(budget.empty() ? floor + "%" : budget);
  options.sensitivity.calibration = calibration_options(parsed);
  const std::string validation = parsed.option("validation", "5000");
  require(!validation.empty() && validation.find_first_not_of("0123456789") == std::string::npos,
          "--validation must be a whole number, got '" + validation + "'");

  ModelManifest manifest;
  const nn::Model model = load_model(parsed.positional[0], manifest);
  const std::string data = parsed.option("data", default_data_dir(manifest.dataset));
  const nn::Examples train = load_examples(data, "train", manifest.input);
  const nn::Examples slice = eval::validation_slice(train, std::stoul(validation));

  const auto start = std::chrono::steady_clock::now();
  const eval::SearchResult result =
      eval::search(model, slice, train.inputs, options, [](size_t done, size_t) {
        std::cerr << "\rquantlab search: " << done << " plans measured" << std::flush;
        return true;
      });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << "\n";
  const auto json = eval::search_json(result, options.budget);
  std::printf(
      "# %s: mixed-precision search\n\n## Sensitivity\n\n%s\n## Pareto front\n\n%s\n"
      "Search time: %.1f s (native, one thread).\n",
      manifest.name.c_str(),
      eval::sensitivity_markdown(eval::sensitivity_json(result.sensitivity)).c_str(),
      eval::search_markdown(json).c_str(), seconds);
  const std::string out = parsed.option("out", "");
  if (!out.empty()) {
    const std::string text = plan_to_json(result.measured[result.chosen].plan).dump(2) + "\n";
    write_file_bytes(out, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
    std::cerr << "quantlab search: wrote " << out << "\n";
  }
  return result.budget_met ? 0 : 3;
}

const bool registered = register_command(
    {"search",
     "<model dir> (--budget 5bpw|300KB|1.2MB | --min-accuracy 91.5) [--out plan.json] "
     "[--validation N] [--data DIR] [--calib ...]",
     "per-layer sensitivity and mixed-precision search on a validation slice of the training "
     "split; prints the Pareto front and writes the chosen plan (exit 3: budget not met)",
     run_search});

}  // namespace
}  // namespace quantlab::cli
