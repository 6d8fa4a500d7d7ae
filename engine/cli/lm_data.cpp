// Text splits and LM directories for the CLI (lm_data.h).
#include "lm_data.h"

#include <algorithm>
#include <filesystem>

#include "quantlab/error.h"
#include "quantlab/eval_lm.h"
#include "quantlab/io.h"

namespace quantlab::cli {

std::string read_text_split(const std::string& data_dir, const std::string& split) {
  const std::vector<uint8_t> bytes = read_file_bytes(data_dir + "/" + split + ".txt");
  return {bytes.begin(), bytes.end()};
}

size_t whole_option(const Arguments& args, const std::string& name, size_t fallback) {
  const std::string text = args.option(name, std::to_string(fallback));
  require(!text.empty() && text.size() < 16 &&
              text.find_first_not_of("0123456789") == std::string::npos,
          "--" + name + " must be a whole number, got '" + text + "'");
  return static_cast<size_t>(std::stoull(text));
}

namespace {

double perplexity(const nn::lm::LanguageModel& model, const std::string& text, size_t positions) {
  nn::lm::Session session(model);
  const std::vector<int32_t> tokens = model.tokenizer.encode(text);
  const size_t context = model.config.context;
  const size_t scored = std::min(tokens.size(), positions / context * context + 1);
  const eval::NextTokenScores scores =
      eval::next_token_scores(session, std::span(tokens).first(scored));
  return eval::lm_quality(scores, scores).perplexity;
}

}  // namespace

void record_perplexities(const nn::lm::LanguageModel& model, const std::string& data_dir,
                         LmManifest& manifest) {
  const size_t positions = eval::LmReportOptions{}.tokens;
  manifest.metrics["scored_tokens"] = static_cast<double>(positions);
  manifest.metrics["validation_perplexity"] =
      perplexity(model, read_text_split(data_dir, "validation"), positions);
  manifest.metrics["test_perplexity"] =
      perplexity(model, read_text_split(data_dir, "test"), positions);
}

bool is_language_model_dir(const std::string& dir) {
  const std::string manifest = dir + "/" + kManifestFileName;
  return std::filesystem::is_regular_file(manifest) &&
         is_language_model_manifest(read_file_bytes(manifest));
}

}  // namespace quantlab::cli
