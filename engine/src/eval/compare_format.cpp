// A comparison of two reports as Markdown, and the gate's verdict as a few lines of text.
#include <cstdio>

#include "eval/markdown.h"
#include "quantlab/eval_compare.h"

namespace quantlab::eval {
namespace {

using nlohmann::ordered_json;

// `value` printed with `pattern` (and `suffix`), "—" when it is missing.
std::string show(const ordered_json& value, const char* pattern, double scale = 1) {
  if (!value.is_number()) return "—";
  char text[64];
  std::snprintf(text, sizeof text, pattern, scale * value.get<double>());
  return text;
}

std::string arrow(const ordered_json& row, const char* key, const char* pattern, double scale = 1) {
  const std::string now = show(row["new"][key], pattern, scale);
  return row["base"].is_null() ? now : show(row["base"][key], pattern, scale) + " → " + now;
}

std::string describe(const ordered_json& source) {
  const auto text = [&](const char* key) {
    return source[key].is_string() ? source[key].get<std::string>() : std::string("unknown");
  };
  const std::string hash = text("model_sha256");
  return source["model"].get<std::string>() + " (model " + hash.substr(0, 12) + ", engine " +
         text("engine_version") + ", " + source["test_examples"].dump() + " test images; " +
         text("machine") + "): `" + text("command") + "`";
}

std::string yes_no(const ordered_json& flag, const char* unknown) {
  return flag.is_null() ? unknown : flag.get<bool>() ? "yes" : "no";
}

}  // namespace

std::string comparison_markdown(const ordered_json& comparison) {
  markdown::Text out;
  out << "# Comparison: " << comparison["base"]["model"].get<std::string>() << " → "
      << comparison["new"]["model"].get<std::string>() << "\n\n";
  out << "Baseline: " << describe(comparison["base"]) << "  \n";
  out << "New: " << describe(comparison["new"]) << "\n\n";
  out << "Same model: " << yes_no(comparison["same_model"], "unknown (a report has no hash)")
      << ". Same test set: " << yes_no(comparison["same_dataset"], "unknown (a report has no hash)")
      << (comparison["paired"].get<bool>()
              ? "; the predictions pair image by image (McNemar's exact test)."
              : "; accuracy changes are not paired, so no significance test.")
      << "\n\n";
  out << "| plan | accuracy | change (points) | McNemar p | verdict | decay (points) | agreement | "
         "KL (nats) | size | size ratio | speedup (batch 256) | speedup ratio | speedup ratio "
         "(batch 1) |\n";
  out << "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const ordered_json& row : comparison["rows"]) {
    const std::string name = row["name"].get<std::string>();
    const bool both = !row["base"].is_null();
    const ordered_json& pair = both ? row["paired"] : ordered_json();
    out << "| " << (name == "fp32" ? "FP32" : name)
        << (both && row["plan_changed"].get<bool>() ? " (plan changed)" : "") << " | "
        << arrow(row, "accuracy", "%.2f%%", 100) << " | "
        << (both ? show(row["accuracy_change_points"], "%+.2f") : "—") << " | "
        << (pair.is_null() ? "—" : show(pair["p_value"], "%.3g")) << " | "
        << row["verdict"].get<std::string>() << " | " << arrow(row, "decay_points", "%.2f") << " | "
        << arrow(row, "agreement", "%.2f%%", 100) << " | " << arrow(row, "kl_mean", "%.3g") << " | "
        << arrow(row, "weight_bytes", "%.0f B") << " | "
        << (both ? show(row["size_ratio"], "%.3f×") : "—") << " | "
        << arrow(row, "speedup_batch", "%.2f×") << " | "
        << (both ? show(row["speedup_ratio_batch"], "%.3f×") : "—") << " | "
        << (both ? show(row["speedup_ratio_batch1"], "%.3f×") : "—") << " |\n";
  }
  out << "\nChange: new accuracy − baseline accuracy. McNemar p: exact two-sided test on the "
         "images exactly one of the two got right (p ≥ α: within noise). Decay and agreement "
         "are against each report's own FP32. Speedups are FP32's time over the plan's in the "
         "same run; a speedup ratio is the new report's speedup over the baseline's, so "
         "machines never compare absolute times.\n";
  if (!comparison["only_in_base"].empty()) {
    out << "\nOnly in the baseline:";
    for (const ordered_json& name : comparison["only_in_base"])
      out << " " << name.get<std::string>();
    out << "\n";
  }
  out << "\n## Gate\n\n" << gate_summary(comparison);
  return out.str();
}

std::string gate_summary(const ordered_json& comparison) {
  const ordered_json& gate = comparison["gate"];
  const ordered_json& t = gate["thresholds"];
  markdown::Text limits;
  if (t["max_decay_points"].is_number())
    limits << "max decay " << show(t["max_decay_points"], "%g") << " points, ";
  if (t["max_size_ratio"].is_number())
    limits << "max size " << show(t["max_size_ratio"], "%g") << "× baseline, ";
  if (t["min_speedup_ratio"].is_number())
    limits << "min speedup " << show(t["min_speedup_ratio"], "%g") << "× baseline's, ";
  limits << "McNemar α " << show(t["alpha"], "%g")
         << (comparison["paired"].get<bool>() ? "" : " (not applied: predictions do not pair)");
  const size_t checks = gate["checks"].get<size_t>();
  const size_t failed = gate["failures"].size();
  markdown::Text out;
  if (failed == 0) {
    out << "quantlab gate: passed: " << checks << " checks within the thresholds (" << limits.str()
        << ").\n";
  } else {
    out << "quantlab gate: FAILED: " << failed << " of " << checks
        << " checks crossed a threshold (" << limits.str() << "):\n";
    for (const ordered_json& f : gate["failures"])
      out << "- " << f["message"].get<std::string>() << "\n";
  }
  return out.str();
}

}  // namespace quantlab::eval
