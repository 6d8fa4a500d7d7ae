// The report as Markdown (the seed article's comparison table first) and as CSV.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "eval/markdown.h"
#include "quantlab/eval.h"

namespace quantlab::eval {
namespace {

using nlohmann::ordered_json;

using markdown::bytes_text;
using markdown::format;
using markdown::percent;
using markdown::sqnr_text;
using markdown::table;

std::string title(const ordered_json& row) {
  const std::string name = row["name"].get<std::string>();
  return name == "fp32" ? "FP32" : name;
}

// What the kernels of a plan's layers do that FP32's do not (docs/report.md).
std::string kernel_note(const ordered_json& plan) {
  const ordered_json& defaults = plan["plan"]["default"];
  const std::string weights = defaults["weights"].get<std::string>();
  const std::string activations = defaults["activations"].get<std::string>();
  if (weights == "int4" && activations == "fp32") {
    return "W4A32 does the FP32 products plus unpacking the nibbles (the conv kernels "
           "dequantize the weights on every call); it can only win where a layer is bound by "
           "reading its weights (large GEMVs), not on layers this small";
  }
  if (activations == "int8-dynamic") {
    return "dynamic activations add a min-max pass and a quantization pass over every input "
           "row (every image for conv) before the integer products";
  }
  if (activations == "int8-static") {
    return "static activations add quantizing the model input and requantizing outputs between "
           "layers";
  }
  return "its kernels do more work than FP32's on these layers";
}

// The layers where a plan loses most time against FP32 in one batch setting, e.g.
// "conv1 0.21 vs 0.12 ms, conv2 1.9 vs 1.6 ms".
std::string losing_layers(const ordered_json& plan, const ordered_json& fp32, const char* key) {
  const ordered_json& mine = plan["speed"][key];
  const ordered_json& base = fp32["speed"][key];
  std::vector<std::pair<double, size_t>> losses;
  for (size_t i = 0; i < mine.size(); ++i) {
    const double loss = mine[i].get<double>() - base[i].get<double>();
    if (loss > 0) losses.emplace_back(loss, i);
  }
  std::sort(losses.rbegin(), losses.rend());
  std::string text;
  for (size_t j = 0; j < std::min<size_t>(2, losses.size()); ++j) {
    const size_t i = losses[j].second;
    text += (j ? ", " : "") + plan["layers"][i]["name"].get<std::string>() + " " +
            format("%.3g", mine[i].get<double>()) + " vs " + format("%.3g", base[i].get<double>()) +
            " ms";
  }
  return text;
}

// RTN vs GPTQ vs bias correction at INT4 (the rows int4_method_plans() adds).
std::string int4_methods_markdown(const ordered_json& all) {
  std::vector<std::vector<std::string>> rows = {{"plan", "granularity", "method", "bias correction",
                                                 "test accuracy", "test decay",
                                                 "validation accuracy", "bits/weight"}};
  for (const ordered_json& p : all) {
    if (p.value("section", "plans") != "int4-methods") continue;
    const ordered_json& layer = p["plan"]["default"];
    rows.push_back(
        {p["name"].get<std::string>(), layer["granularity"].get<std::string>(),
         layer["method"].get<std::string>(), layer["bias_correction"].get<bool>() ? "yes" : "no",
         percent(p["accuracy"].get<double>()),
         format("%.2f points", p["decay_points"].get<double>()),
         p.contains("validation_accuracy") ? percent(p["validation_accuracy"].get<double>()) : "—",
         format("%.3f", p["bits_per_weight"].get<double>())});
  }
  if (rows.size() == 1) return "";
  return "## INT4: round-to-nearest vs GPTQ vs bias correction\n\n" + table(rows) +
         "\nSymmetric INT4 with min-max scales; RTN rounds each weight (Eq. 4), GPTQ rounds "
         "column by column with error feedback (Eqs. 22-25), bias correction removes the mean "
         "output shift on the calibration set (Eq. 26). Validation accuracy: the validation slice "
         "of the training split, where choices are made.\n\n";
}

}  // namespace

std::string report_markdown(const ordered_json& report) {
  const ordered_json& fp32 = report["fp32"];
  // The INT4 method rows have a table of their own (int4_methods_markdown).
  ordered_json plans = ordered_json::array();
  for (const ordered_json& p : report["plans"]) {
    if (p.value("section", "plans") == "plans") plans.push_back(p);
  }
  const bool timed = !report["speed"].is_null();
  std::vector<ordered_json> all = {fp32};
  for (const ordered_json& p : plans) all.push_back(p);

  markdown::Text out;
  out << "# " << report["model"]["name"].get<std::string>() << ": FP32 vs quantized\n\n";
  out << "Measured on " << report["test_examples"].get<size_t>() << " test images of "
      << report["model"]["dataset"].get<std::string>()
      << "; calibration: " << report["calibration"]["method"].get<std::string>() << " over "
      << report["calibration"]["samples"].get<size_t>() << " training images.\n\n";

  std::vector<std::vector<std::string>> seed = {{""}};
  std::vector<std::string> memory = {"Memory per value"}, size = {"Model size"},
                           accuracy = {"Accuracy"}, decay = {"Accuracy decay"},
                           speed_batch = {"Inference speedup (batch 256)"},
                           speed_one = {"Inference speedup (batch 1)"};
  for (const ordered_json& row : all) {
    const bool is_fp32 = &row == &all[0];
    seed[0].push_back(title(row));
    memory.push_back(format("%.2f bits", row["bits_per_weight"].get<double>()));
    size.push_back(bytes_text(row["weight_bytes"].get<double>()));
    accuracy.push_back(percent(row["accuracy"].get<double>()));
    decay.push_back(is_fp32 ? "—" : format("%.2f points", row["decay_points"].get<double>()));
    if (timed) {
      speed_batch.push_back(format("%.2f×", row["speed"]["speedup_batch"].get<double>()));
      speed_one.push_back(format("%.2f×", row["speed"]["speedup_batch1"].get<double>()));
    }
  }
  seed.push_back(memory);
  seed.push_back(size);
  seed.push_back(accuracy);
  seed.push_back(decay);
  if (timed) {
    seed.push_back(speed_batch);
    seed.push_back(speed_one);
  }
  out << table(seed) << "\n";
  out << "Memory per value counts codes, scales and zero points (bits per weight, Eq. 10 of "
         "docs/quantization.md); model size adds the FP32 biases. Decay is FP32's accuracy minus "
         "the plan's on the same images (negative: the plan did better). Speedup is FP32's time "
         "over the plan's, measured in "
         "the same run.\n\n";

  out << "## Details\n\n";
  std::vector<std::vector<std::string>> details = {
      {"plan", "accuracy [95% CI]", "decay", "agreement", "flips", "McNemar p", "logits MSE",
       "output SQNR", "cosine", "KL (nats)", "bits/weight", "size"}};
  for (const ordered_json& row : all) {
    const bool is_fp32 = &row == &all[0];
    const ordered_json& ci = row["accuracy_interval"];
    std::vector<std::string> cells = {title(row), percent(row["accuracy"].get<double>()) + " [" +
                                                      percent(ci[0].get<double>()) + ", " +
                                                      percent(ci[1].get<double>()) + "]"};
    if (is_fp32) {
      for (int i = 0; i < 8; ++i) cells.push_back("—");
    } else {
      cells.push_back(format("%.2f", row["decay_points"].get<double>()));
      cells.push_back(percent(row["agreement"].get<double>()));
      cells.push_back(std::to_string(row["flips"].get<size_t>()));
      cells.push_back(format("%.3g", row["mcnemar"]["p_value"].get<double>()));
      cells.push_back(format("%.3g", row["logits_mse"].get<double>()));
      cells.push_back(sqnr_text(row["output_sqnr_db"]));
      cells.push_back(format("%.5f", row["cosine"].get<double>()));
      cells.push_back(format("%.3g", row["kl_mean"].get<double>()));
    }
    cells.push_back(format("%.2f", row["bits_per_weight"].get<double>()));
    cells.push_back(bytes_text(row["weight_bytes"].get<double>()));
    details.push_back(cells);
  }
  out << table(details) << "\n";
  out << "95% CI: Wilson score interval. Flips: test images whose top-1 class differs from "
         "FP32's. McNemar p: exact two-sided binomial test on the images exactly one of FP32 and "
         "the plan gets right (p ≥ 0.05: the accuracy difference is within noise). Logits MSE, "
         "output SQNR (Eq. 12), cosine and KL of the softmax compare the plan's outputs with "
         "FP32's.\n\n";

  if (timed) {
    out << "## Speed\n\n";
    std::vector<std::vector<std::string>> speed = {{"plan", "batch 1 (ms/image)",
                                                    "batch 256 (images/s)", "speedup batch 1",
                                                    "speedup batch 256"}};
    for (const ordered_json& row : all) {
      const ordered_json& s = row["speed"];
      speed.push_back({title(row), format("%.3f", s["batch1_ms"].get<double>()),
                       format("%.0f", s["images_per_second"].get<double>()),
                       format("%.2f×", s["speedup_batch1"].get<double>()),
                       format("%.2f×", s["speedup_batch"].get<double>())});
    }
    out << table(speed) << "\n";
    const ordered_json& options = report["speed"];
    out << "Median of " << options["rounds"].get<size_t>() << " rounds; each round times every "
        << "model back to back (" << options["single_images"].get<size_t>()
        << " single-image runs, then one batch of " << options["batch_size"].get<size_t>()
        << "), so the ratios compare like with like.\n";
    for (const ordered_json& row : plans) {
      std::vector<std::string> where;
      if (row["speed"]["speedup_batch"].get<double>() < 1.0) {
        where.push_back("at batch 256 in " + losing_layers(row, fp32, "layer_batch_ms"));
      }
      if (row["speed"]["speedup_batch1"].get<double>() < 1.0) {
        where.push_back("at batch 1 in " + losing_layers(row, fp32, "layer_batch1_ms"));
      }
      if (where.empty()) continue;
      out << "- **" << title(row) << "** is slower than FP32 " << where[0]
          << (where.size() > 1 ? "; " + where[1] : "") << ": " << kernel_note(row) << ".\n";
    }
    out << "\nTime per layer, ms (batch 256 / one image):\n\n";
    std::vector<std::vector<std::string>> layer_times = {{"layer"}};
    for (const ordered_json& row : all) layer_times[0].push_back(title(row));
    const size_t layer_count = fp32["speed"]["layer_batch_ms"].size();
    for (size_t i = 0; i < layer_count; ++i) {
      std::vector<std::string> cells = {
          plans.empty() ? std::to_string(i) : plans[0]["layers"][i]["name"].get<std::string>()};
      for (const ordered_json& row : all) {
        cells.push_back(format("%.3g", row["speed"]["layer_batch_ms"][i].get<double>()) + " / " +
                        format("%.3g", row["speed"]["layer_batch1_ms"][i].get<double>()));
      }
      layer_times.push_back(cells);
    }
    out << table(layer_times) << "\n";
  }

  out << "## Output SQNR per layer\n\n";
  std::vector<std::vector<std::string>> layer_table = {{"layer"}};
  for (const ordered_json& row : plans) layer_table[0].push_back(title(row));
  if (!plans.empty()) {
    const ordered_json& first = plans[0]["layers"];
    for (size_t i = 0; i < first.size(); ++i) {
      std::vector<std::string> cells = {first[i]["name"].get<std::string>() + " (" +
                                        first[i]["kind"].get<std::string>() + ")"};
      for (const ordered_json& row : plans) cells.push_back(sqnr_text(row["layers"][i]["sqnr_db"]));
      layer_table.push_back(cells);
    }
  }
  out << table(layer_table) << "\n";
  out << "Each layer's output against the FP32 model's over the first "
      << report["layer_error_examples"].get<size_t>()
      << " test images. A layer that hands int8 codes to the next one requantizes to that "
         "layer's input range (a following ReLU is fused into this clamp), so its FP32 output is "
         "clamped to the same range before comparing.\n\n";

  for (const ordered_json& row : plans) {
    if (row["plan"]["default"]["granularity"] == "per_tensor" &&
        row["plan"]["default"]["weights"] == "int4") {
      out << "**" << title(row) << "** gives each weight tensor a single scale and zero "
          << "point: the range of the whole tensor sets the step of its 16 levels, so every "
             "channel whose "
          << "weights are smaller than the largest loses most of its resolution. Per-group scales "
          << "(int4-g32) follow each run of 32 weights instead.\n\n";
    }
  }
  out << int4_methods_markdown(report["plans"]);
  if (report.contains("sensitivity")) {
    out << "## Sensitivity\n\n" << sensitivity_markdown(report["sensitivity"]) << "\n";
  }
  if (report.contains("search")) {
    out << "## Mixed precision: Pareto front\n\n"
        << search_markdown(report["search"])
        << "Its test row is **mixed** in the tables above.\n\n";
  }
  out << "Machine: " << report["machine"].get<std::string>() << "  \nCommand: `"
      << report["command"].get<std::string>() << "`\n";
  return out.str();
}

std::string report_csv(const ordered_json& report) {
  markdown::Text out;
  out << "plan,accuracy,accuracy_low,accuracy_high,decay_points,agreement,flips,mcnemar_p,"
         "logits_mse,output_sqnr_db,cosine,kl_mean,bits_per_weight,weight_bytes,batch1_ms,"
         "images_per_second,speedup_batch1,speedup_batch\n";
  std::vector<ordered_json> all = {report["fp32"]};
  for (const ordered_json& p : report["plans"]) all.push_back(p);
  const auto number = [](const ordered_json& v) {
    return v.is_null() ? std::string() : format("%.6g", v.get<double>());
  };
  for (const ordered_json& row : all) {
    const auto get = [&](const char* key) { return row.contains(key) ? row[key] : ordered_json(); };
    const ordered_json speed = get("speed");
    const auto speed_field = [&](const char* key) {
      return speed.is_null() ? std::string() : number(speed[key]);
    };
    out << row["name"].get<std::string>() << "," << number(row["accuracy"]) << ","
        << number(row["accuracy_interval"][0]) << "," << number(row["accuracy_interval"][1]) << ","
        << number(get("decay_points")) << "," << number(get("agreement")) << ","
        << number(get("flips")) << ","
        << (row.contains("mcnemar") ? number(row["mcnemar"]["p_value"]) : "") << ","
        << number(get("logits_mse")) << "," << number(get("output_sqnr_db")) << ","
        << number(get("cosine")) << "," << number(get("kl_mean")) << ","
        << number(row["bits_per_weight"]) << "," << number(row["weight_bytes"]) << ","
        << speed_field("batch1_ms") << "," << speed_field("images_per_second") << ","
        << speed_field("speedup_batch1") << "," << speed_field("speedup_batch") << "\n";
  }
  return out.str();
}

}  // namespace quantlab::eval
