// Two reports side by side, row by row (docs/report.md, "Comparing reports and the gate"). Speed
// is compared only through each report's own speedups (FP32's time over the plan's in the same
// run): absolute times from two runs, maybe on two machines, say nothing about the plans.
#include <cmath>
#include <cstdio>
#include <span>
#include <vector>

#include "eval/report_provenance.h"
#include "quantlab/error.h"
#include "quantlab/eval.h"
#include "quantlab/eval_compare.h"

namespace quantlab::eval {
namespace {

using nlohmann::ordered_json;

const ordered_json kNull = nullptr;

const ordered_json& field(const ordered_json& object, const char* key) {
  const auto found = object.find(key);
  return found == object.end() ? kNull : *found;
}

void check_report(const ordered_json& report, const std::string& which) {
  require(report.is_object() && field(report, "format") == "quantlab-report",
          which + ": not a quantlab report (\"format\" is not \"quantlab-report\")");
  require(field(report, "version") == 1, which + ": report version " +
                                             field(report, "version").dump() +
                                             " is not supported (this engine reads version 1)");
  require(field(report, "fp32").is_object() && field(report, "plans").is_array() &&
              field(report, "model").is_object() && field(report, "test_examples").is_number(),
          which + ": report lacks model, test_examples, fp32 or plans");
}

// FP32 first, then the plans.
std::vector<const ordered_json*> rows_of(const ordered_json& report) {
  std::vector<const ordered_json*> rows = {&report["fp32"]};
  for (const ordered_json& plan : report["plans"]) rows.push_back(&plan);
  return rows;
}

const ordered_json* find_row(const ordered_json& report, const std::string& name) {
  for (const ordered_json* row : rows_of(report)) {
    if ((*row)["name"] == name) return row;
  }
  return nullptr;
}

ordered_json source_of(const ordered_json& report) {
  return {{"model", report["model"]["name"]},
          {"dataset", report["model"]["dataset"]},
          {"engine_version", field(report, "engine_version")},
          {"model_sha256", field(report, "model_sha256")},
          {"dataset_sha256", field(report, "dataset_sha256")},
          {"machine", field(report, "machine")},
          {"command", field(report, "command")},
          {"test_examples", report["test_examples"]},
          {"timed", !field(report, "speed").is_null()}};
}

// null when either side lacks the hash.
ordered_json same_hash(const ordered_json& base, const ordered_json& next, const char* key) {
  const ordered_json& a = field(base, key);
  const ordered_json& b = field(next, key);
  if (!a.is_string() || !b.is_string()) return nullptr;
  return a == b;
}

// Test labels, one per test image, or empty when the report carries none.
std::vector<uint8_t> labels_of(const ordered_json& report, const std::string& which) {
  const ordered_json& text = field(report, "test_labels");
  if (text.is_null()) return {};
  std::vector<uint8_t> labels = decode_classes(text, which + ": test_labels");
  require(labels.size() == report["test_examples"].get<size_t>(),
          which + ": test_labels holds " + std::to_string(labels.size()) +
              " labels, test_examples is " + report["test_examples"].dump());
  return labels;
}

std::vector<uint8_t> predictions_of(const ordered_json& row, size_t count,
                                    const std::string& which) {
  const ordered_json& text = field(row, "predictions");
  if (text.is_null()) return {};
  const std::string what = which + ": " + row["name"].get<std::string>() + ".predictions";
  std::vector<uint8_t> classes = decode_classes(text, what);
  require(classes.size() == count, what + " holds " + std::to_string(classes.size()) +
                                       " classes for " + std::to_string(count) + " test images");
  return classes;
}

ordered_json side_of(const ordered_json& row) {
  const ordered_json& speed = field(row, "speed");
  return {{"accuracy", row["accuracy"]},
          {"decay_points", field(row, "decay_points")},
          {"agreement", field(row, "agreement")},
          {"kl_mean", field(row, "kl_mean")},
          {"weight_bytes", row["weight_bytes"]},
          {"bits_per_weight", row["bits_per_weight"]},
          {"speedup_batch", speed.is_null() ? kNull : speed["speedup_batch"]},
          {"speedup_batch1", speed.is_null() ? kNull : speed["speedup_batch1"]}};
}

// new − base, or null when either is missing.
ordered_json change(const ordered_json& base, const ordered_json& next, const char* key,
                    double scale = 1) {
  if (!base[key].is_number() || !next[key].is_number()) return nullptr;
  return scale * (next[key].get<double>() - base[key].get<double>());
}

// new ÷ base, or null when either is missing.
ordered_json ratio(const ordered_json& base, const ordered_json& next, const char* key) {
  if (!base[key].is_number() || !next[key].is_number()) return nullptr;
  return next[key].get<double>() / base[key].get<double>();
}

// McNemar on the two rows' predictions of the same images: b = only the baseline right, c =
// only the new report right.
ordered_json paired(std::span<const uint8_t> labels, std::span<const uint8_t> base,
                    std::span<const uint8_t> next) {
  size_t base_only = 0, new_only = 0, same = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const bool a = base[i] == labels[i], b = next[i] == labels[i];
    base_only += a && !b;
    new_only += b && !a;
    same += base[i] == next[i];
  }
  const McNemar test = mcnemar(base_only, new_only);
  return {{"base_only_correct", base_only},
          {"new_only_correct", new_only},
          {"p_value", test.p_value},
          {"agreement", labels.empty() ? 1.0 : static_cast<double>(same) / labels.size()}};
}

std::string verdict(const ordered_json& pair, double alpha) {
  if (pair.is_null()) return "not paired";
  if (pair["p_value"].get<double>() >= alpha) return "within noise";
  return pair["new_only_correct"].get<size_t>() > pair["base_only_correct"].get<size_t>()
             ? "significantly better"
             : "significantly worse";
}

std::string number(double value, int decimals) {
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string significant_digits(double value) {
  char text[48];
  std::snprintf(text, sizeof text, "%.2g", value);
  return text;
}

struct Gate {
  const GateThresholds& thresholds;
  size_t checks = 0;
  ordered_json failures = ordered_json::array();

  void check(bool passed, const std::string& plan, const char* name, ordered_json value,
             double limit, const std::string& message) {
    ++checks;
    if (!passed) {
      failures.push_back({{"plan", plan},
                          {"check", name},
                          {"value", value},
                          {"limit", limit},
                          {"message", plan + ": " + message}});
    }
  }

  void row(const ordered_json& r) {
    const std::string name = r["name"].get<std::string>();
    const bool is_fp32 = name == "fp32";
    const ordered_json& next = r["new"];
    if (thresholds.max_decay_points && !is_fp32) {
      const double decay = next["decay_points"].get<double>(), limit = *thresholds.max_decay_points;
      check(decay <= limit, name, "max_decay_points", decay, limit,
            "decay " + number(decay, 2) + " points vs FP32 exceeds the maximum " +
                number(limit, 2) + " (--max-decay)");
    }
    if (r["base"].is_null()) return;
    if (thresholds.max_size_ratio) {
      const double size = r["size_ratio"].get<double>(), limit = *thresholds.max_size_ratio;
      check(size <= limit, name, "max_size_ratio", size, limit,
            "weights are " + number(size, 3) + "× the baseline's (" +
                r["base"]["weight_bytes"].dump() + " → " + next["weight_bytes"].dump() +
                " bytes), over the maximum " + number(limit, 3) + "× (--max-size)");
    }
    if (thresholds.min_speedup_ratio && !is_fp32) {
      const ordered_json& speed = r["speedup_ratio_batch"];
      const double limit = *thresholds.min_speedup_ratio;
      if (speed.is_null()) {
        check(false, name, "min_speedup_ratio", nullptr, limit,
              "speedup cannot be checked: a report was made without speed measurement "
              "(--speed-rounds 0)");
      } else {
        const double value = speed.get<double>();
        check(value >= limit, name, "min_speedup_ratio", value, limit,
              "speedup vs FP32 (batch 256) fell to " + number(value, 3) + "× the baseline's (" +
                  number(r["base"]["speedup_batch"].get<double>(), 2) + "× → " +
                  number(next["speedup_batch"].get<double>(), 2) + "×), under the minimum " +
                  number(limit, 3) + "× (--min-speedup)");
      }
    }
    const ordered_json& pair = r["paired"];
    if (!pair.is_null()) {
      const size_t b = pair["base_only_correct"], c = pair["new_only_correct"];
      const double p = pair["p_value"];
      check(!(c < b && p < thresholds.alpha), name, "significance", p, thresholds.alpha,
            "accuracy fell " + number(-r["accuracy_change_points"].get<double>(), 2) +
                " points vs the baseline on the same images, significant by McNemar (p = " +
                significant_digits(p) + " < " + number(thresholds.alpha, 2) + "; " +
                std::to_string(b) + " images only the baseline got right, " + std::to_string(c) +
                " only the new)");
    }
  }
};

}  // namespace

void validate_report(const ordered_json& report, const std::string& which) {
  check_report(report, which);
  const size_t count = labels_of(report, which).size();
  for (const ordered_json* row : rows_of(report)) {
    require((*row)["name"].is_string(), which + ": a row has no name");
    if (count > 0) predictions_of(*row, count, which);
  }
}

ordered_json compare_reports(const ordered_json& base, const ordered_json& next,
                             const GateThresholds& thresholds) {
  validate_report(base, "baseline");
  validate_report(next, "new report");
  require(thresholds.alpha > 0 && thresholds.alpha < 1,
          "alpha must be in (0, 1), got " + std::to_string(thresholds.alpha));
  const ordered_json same_dataset = same_hash(base, next, "dataset_sha256");
  const std::vector<uint8_t> base_labels = labels_of(base, "baseline");
  const std::vector<uint8_t> new_labels = labels_of(next, "new report");
  // Predictions pair only on the same test images in the same order, with the same labels.
  const bool pairable = same_dataset == true && !base_labels.empty() && base_labels == new_labels;

  Gate gate{thresholds};
  ordered_json rows = ordered_json::array();
  ordered_json only_in_base = ordered_json::array();
  for (const ordered_json* row : rows_of(next)) {
    const std::string name = (*row)["name"].get<std::string>();
    const ordered_json* old = find_row(base, name);
    const ordered_json now = side_of(*row);
    ordered_json entry = {{"name", name}, {"base", nullptr}, {"new", now}};
    if (old != nullptr) {
      const ordered_json was = side_of(*old);
      ordered_json pair = nullptr;
      if (pairable) {
        const std::vector<uint8_t> a = predictions_of(*old, base_labels.size(), "baseline");
        const std::vector<uint8_t> b = predictions_of(*row, new_labels.size(), "new report");
        if (!a.empty() && !b.empty()) pair = paired(base_labels, a, b);
      }
      entry["base"] = was;
      entry["plan_changed"] = field(*old, "plan") != field(*row, "plan");
      entry["accuracy_change_points"] = change(was, now, "accuracy", 100);
      entry["decay_change_points"] = change(was, now, "decay_points");
      entry["agreement_change"] = change(was, now, "agreement");
      entry["kl_change"] = change(was, now, "kl_mean");
      entry["size_ratio"] = ratio(was, now, "weight_bytes");
      entry["speedup_ratio_batch"] = ratio(was, now, "speedup_batch");
      entry["speedup_ratio_batch1"] = ratio(was, now, "speedup_batch1");
      entry["paired"] = pair;
      entry["verdict"] = verdict(pair, thresholds.alpha);
    } else {
      entry["verdict"] = "new plan";
    }
    gate.row(entry);
    rows.push_back(entry);
  }
  for (const ordered_json* row : rows_of(base)) {
    if (find_row(next, (*row)["name"].get<std::string>()) == nullptr)
      only_in_base.push_back((*row)["name"]);
  }
  const auto optional = [](const std::optional<double>& v) { return v ? ordered_json(*v) : kNull; };
  return {
      {"format", "quantlab-comparison"},
      {"version", 1},
      {"base", source_of(base)},
      {"new", source_of(next)},
      {"same_model", same_hash(base, next, "model_sha256")},
      {"same_dataset", same_dataset},
      {"paired", pairable},
      {"rows", rows},
      {"only_in_base", only_in_base},
      {"gate",
       {{"thresholds",
         {{"max_decay_points", optional(thresholds.max_decay_points)},
          {"max_size_ratio", optional(thresholds.max_size_ratio)},
          {"min_speedup_ratio", optional(thresholds.min_speedup_ratio)},
          {"alpha", thresholds.alpha}}},
        {"checks", gate.checks},
        {"failures", gate.failures},
        {"passed", gate.failures.empty()}}},
  };
}

}  // namespace quantlab::eval
