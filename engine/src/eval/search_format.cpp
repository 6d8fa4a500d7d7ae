// The sensitivity table and the search's Pareto front as Markdown (the CLI's `search` output and
// sections of the report).
#include <cmath>
#include <cstdio>

#include "eval/markdown.h"
#include "quantlab/eval.h"

namespace quantlab::eval {

using nlohmann::ordered_json;

std::string sensitivity_markdown(const ordered_json& sensitivity) {
  std::vector<std::vector<std::string>> rows = {
      {"layer", "choice", "accuracy drop", "KL (nats)", "output SQNR", "bytes", "bytes saved"}};
  for (const ordered_json& r : sensitivity["rows"]) {
    rows.push_back({r["layer"].get<std::string>(), r["choice"].get<std::string>(),
                    markdown::format("%.2f", r["accuracy_drop_points"].get<double>()),
                    markdown::format("%.3g", r["kl_mean"].get<double>()),
                    markdown::sqnr_text(r["output_sqnr_db"]),
                    std::to_string(r["bytes"].get<size_t>()),
                    std::to_string(r["bytes_saved"].get<size_t>())});
  }
  markdown::Text out;
  out << markdown::table(rows) << "\nOne layer quantized at a time, the rest FP32, on "
      << sensitivity["validation_examples"].get<size_t>()
      << " validation images of the training split (FP32 there: "
      << markdown::percent(sensitivity["fp32_accuracy"].get<double>())
      << "). Drops in points of accuracy against FP32.\n";
  return out.str();
}

std::string search_markdown(const ordered_json& search) {
  const ordered_json& plans = search["plans"];
  const size_t chosen = search["chosen"].get<size_t>();
  std::vector<std::vector<std::string>> rows = {
      {"plan", "bits/weight", "size", "val. accuracy", "drop", "additive prediction", "KL (nats)"}};
  for (const ordered_json& index : search["front"]) {
    const ordered_json& p = plans[index.get<size_t>()];
    const std::string mark = index.get<size_t>() == chosen ? " **(chosen)**" : "";
    rows.push_back({p["name"].get<std::string>() + mark,
                    markdown::format("%.3f", p["bits_per_weight"].get<double>()),
                    markdown::bytes_text(p["weight_bytes"].get<double>()),
                    markdown::percent(p["accuracy"].get<double>()),
                    markdown::format("%.2f", p["drop_points"].get<double>()),
                    markdown::format("%.2f", p["predicted_drop_points"].get<double>()),
                    markdown::format("%.3g", p["kl_mean"].get<double>())});
  }
  double worst = 0;
  for (const ordered_json& p : plans) {
    worst = std::max(
        worst, std::abs(p["drop_points"].get<double>() - p["predicted_drop_points"].get<double>()));
  }
  markdown::Text out;
  out << markdown::table(rows) << "\nPareto front of size against validation accuracy over the "
      << plans.size() << " plans measured (budget " << search["budget"].get<std::string>()
      << (search["budget_met"].get<bool>() ? "" : ", not met: the closest plan is chosen")
      << "). The additive prediction sums the layers' single-layer drops; the measured drops "
         "differ from it by up to "
      << markdown::format("%.2f", worst) << " points, so every plan is measured as a whole.\n";
  const ordered_json& p = plans[chosen];
  out << "\nChosen: " << p["name"].get<std::string>() << ", "
      << markdown::format("%.3f", p["bits_per_weight"].get<double>()) << " bits per weight, "
      << markdown::percent(p["accuracy"].get<double>()) << " on the validation slice.\n";
  return out.str();
}

}  // namespace quantlab::eval
