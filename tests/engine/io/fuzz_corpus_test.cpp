// The fuzz corpus (tests/fuzz/<target>/) replayed through the parsers in every build, wasm's
// 32-bit one included: each hostile seed and each regression input of a finding gets the error
// listed here (docs/hostile-inputs.md is this table in words), and every valid seed loads. A
// file added to a corpus must be listed, so no finding goes without its expected outcome.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "fuzz/fuzz_input.h"
#include "fuzz/small_model.h"
#include "quantlab/io.h"
#include "quantlab/quantize.h"
#include "shipped_data.h"

namespace quantlab {
namespace {

namespace fs = std::filesystem;
using Parse = std::function<void(const std::vector<uint8_t>&)>;

const fs::path kCorpus = testing::kRoot / "tests" / "fuzz";

std::string text_of(const std::vector<uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

// What each target's corpus files go through here: the parse (and, for plans, the check against
// the model) that the fuzz target starts with.
const std::map<std::string, Parse>& parsers() {
  static const std::map<std::string, Parse> table = {
      {"safetensors", [](const auto& bytes) { parse_safetensors(bytes); }},
      {"manifest",
       [](const auto& bytes) {
         const auto [manifest, weights] =
             fuzz::split_manifest_and_weights(bytes.data(), bytes.size());
         ModelManifest m;
         parse_model(manifest, weights, m);
       }},
      {"quantized_model",
       [](const auto& bytes) {
         const auto [manifest, weights] =
             fuzz::split_manifest_and_weights(bytes.data(), bytes.size());
         ModelManifest m;
         parse_quantized_model(manifest, weights, m);
       }},
      {"plan", [](const auto& bytes) { parse_plan(text_of(bytes), "plan.json"); }},
      {"quantize_run",
       [](const auto& bytes) {
         quantization::validate_plan(parse_plan(text_of(bytes), "plan.json"),
                                     nn::fold_for_inference(fuzz::small_model()));
       }},
      {"idx",
       [](const auto& bytes) {
         // A file read as the kind its header claims (rank 3: images, else labels).
         if (bytes.size() >= 4 && bytes[3] == 3) {
           parse_idx_images(bytes);
         } else {
           parse_idx_labels(bytes);
         }
       }},
  };
  return table;
}

// target/file → the error's text, or "" where the file is valid.
const std::map<std::string, std::string>& expected() {
  static const std::map<std::string, std::string> table = {
      {"idx/label-out-of-range", "labels file item 4 has label 200, expected 0..9"},
      {"idx/oversized-dims",
       "images file dims [4294967295, 4294967295, 4294967295] exceeds the limit of 268435456 "
       "elements"},
      {"idx/truncated-images",
       "images file says 3 items of 4x4 pixels (48 bytes) but holds 16 bytes of data"},
      {"idx/type-confused-rank", "labels file says 3 items but holds 56 bytes of data"},
      {"idx/valid-images", ""},
      {"idx/valid-labels", ""},
      {"manifest/deeply-nested", "manifest.json recipe must be a JSON object"},
      {"manifest/nested-past-the-limit",
       "manifest.json recipe nests deeper than the limit of 64 levels"},
      {"manifest/oversized-input",
       "manifest.json input shape [1, 65536, 65536] exceeds the limit of 268435456 elements"},
      {"manifest/oversized-layer",
       "manifest.json architecture layer 6 'fc' states output_shape [10] but its input gives "
       "[1000000000]"},
      {"manifest/truncated-manifest",
       "manifest.json is not valid JSON: [json.exception.parse_error.101] parse error at line 82"},
      {"manifest/truncated-weights",
       "model.safetensors: tensor 'fc.weight' data_offsets [344, 1784) run past the end of the "
       "548-byte data buffer"},
      {"manifest/type-confused-input",
       "manifest.json input shape must be a list of dims, got \"1x8x8\""},
      {"manifest/type-confused-layer",
       "manifest.json architecture layer 0 'conv1' in_channels must be a non-negative integer, got "
       "\"1\""},
      {"manifest/valid", ""},
      {"plan/deeply-nested", "plan.json default nests deeper than the limit of 64 levels"},
      {"plan/fp32", ""},
      {"plan/int4-g32", ""},
      {"plan/int4-tensor", ""},
      {"plan/int8", ""},
      {"plan/int8-dynamic", ""},
      {"plan/mixed", ""},
      {"plan/oversized-group",
       "plan.json.default.group_size must be a non-negative integer, got 1e+300"},
      {"plan/truncated",
       "plan.json is not valid JSON: [json.exception.parse_error.101] parse error at line 4, "
       "column 46"},
      {"plan/type-confused", "plan.json.version must be a non-negative integer, got \"1\""},
      {"plan/unknown-layer", ""},
      {"plan/w4a8", ""},
      {"quantize_run/deeply-nested", "plan.json default nests deeper than the limit of 64 levels"},
      {"quantize_run/fp32", ""},
      {"quantize_run/int4-g32", ""},
      {"quantize_run/int4-tensor", ""},
      {"quantize_run/int8", ""},
      {"quantize_run/int8-dynamic", ""},
      {"quantize_run/mixed", ""},
      {"quantize_run/oversized-group",
       "plan.json.default.group_size must be a non-negative integer, got 1e+300"},
      {"quantize_run/truncated",
       "plan.json is not valid JSON: [json.exception.parse_error.101] parse error at line 4, "
       "column 46"},
      {"quantize_run/type-confused", "plan.json.version must be a non-negative integer, got \"1\""},
      {"quantize_run/unknown-layer",
       "plan names layer 'fc9', which is not a linear or conv2d layer of the model (those are: "
       "conv1, conv2, fc)"},
      {"quantize_run/w4a8", ""},
      {"quantized_model/deeply-nested", "manifest.json recipe must be a JSON object"},
      {"quantized_model/nested-past-the-limit",
       "manifest.json recipe nests deeper than the limit of 64 levels"},
      {"quantized_model/oversized-input",
       "manifest.json input shape [1, 65536, 65536] exceeds the limit of 268435456 elements"},
      {"quantized_model/oversized-layer",
       "manifest.json architecture layer 5 'fc' states output_shape [10] but its input gives "
       "[1000000000]"},
      {"quantized_model/truncated-manifest",
       "manifest.json is not valid JSON: [json.exception.parse_error.101] parse error at line 102"},
      {"quantized_model/truncated-weights",
       "model.safetensors: safetensors header length says 688 bytes but only 618 bytes follow the "
       "length field"},
      {"quantized_model/type-confused-input",
       "manifest.json input shape must be a list of dims, got \"1x8x8\""},
      {"quantized_model/type-confused-layer",
       "manifest.json architecture layer 0 'conv1' in_channels must be a non-negative integer, got "
       "\"1\""},
      {"quantized_model/type-confused-plan",
       "manifest.json quantization.plan.default.weights must be a string, got 8"},
      {"quantized_model/valid", ""},
      {"quantized_model/valid-int4-tensor", ""},
      {"quantized_model/valid-w4a8", ""},
      {"safetensors/deeply-nested",
       "safetensors header __metadata__ nests deeper than the limit of 64 levels"},
      {"safetensors/overlapping-offsets",
       "tensor 'b' data_offsets [8, 24) overlap tensor 'a' [0, 16)"},
      {"safetensors/oversized-header-length",
       "safetensors header length 9223372036854775808 exceeds the limit of 4000000 bytes"},
      {"safetensors/oversized-shape",
       "tensor 'a' shape [65536, 65536, 65536] exceeds the limit of 268435456 elements"},
      {"safetensors/truncated",
       "safetensors header length says 200 bytes but only 110 bytes follow the length field"},
      {"safetensors/type-confused", "tensor 'a' shape must be a list of dims, got \"2x3\""},
      {"safetensors/valid", ""},
  };
  return table;
}

TEST(FuzzCorpus, EveryFileGetsItsListedOutcome) {
  std::set<std::string> seen;
  for (const auto& [target, parse] : parsers()) {
    for (const auto& entry : fs::directory_iterator(kCorpus / target)) {
      const std::string key = target + "/" + entry.path().filename().string();
      seen.insert(key);
      const std::vector<uint8_t> bytes = read_file_bytes(entry.path().string());
      std::string outcome;
      try {
        parse(bytes);
      } catch (const InvalidArgument& error) {
        outcome = error.what();
      }
      const auto listed = expected().find(key);
      if (listed == expected().end()) {
        ADD_FAILURE() << key << " is not listed; its outcome: \"" << outcome << "\"";
      } else if (listed->second.empty()) {
        EXPECT_EQ(outcome, "") << key;
      } else {
        EXPECT_NE(outcome.find(listed->second), std::string::npos)
            << key << ": \"" << outcome << "\", expected \"" << listed->second << "\"";
      }
    }
  }
  for (const auto& [key, error] : expected()) EXPECT_TRUE(seen.count(key)) << key << " is missing";
}

}  // namespace
}  // namespace quantlab
