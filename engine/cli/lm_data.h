// The text corpus splits and model directories of the language-model commands.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "command.h"
#include "quantlab/io_lm.h"
#include "quantlab/nn_lm.h"

namespace quantlab::cli {

// <data dir>/<split>.txt (build/data/<dataset> by default, written by
// scripts/build.d/11-text-corpus.sh) as raw bytes. Split "calibration" is the front of train that
// the app and the npm package ship gzipped: every quantizing command calibrates on it, so both
// CLIs and the browser quantize a model the same way.
std::string read_text_split(const std::string& data_dir, const std::string& split);

// The value of --name as a whole number (fallback when absent); anything else is an error naming
// the option.
size_t whole_option(const Arguments& args, const std::string& name, size_t fallback);

// The manifest's "validation_perplexity" and "test_perplexity" (and "scored_tokens"): FP32
// perplexity per character over the first positions of each split, as many as `quantlab report`
// scores by default (eval::LmReportOptions::tokens), so the two agree. train-lm records them;
// `quantlab perplexity --out` re-measures them when the engine's FP32 math changes.
void record_perplexities(const nn::lm::LanguageModel& model, const std::string& data_dir,
                         LmManifest& manifest);

// Whether `dir` holds a language model (its manifest says "quantlab-lm").
bool is_language_model_dir(const std::string& dir);

// `quantlab report <model dir>` for a language model (report.cpp hands it over).
int run_lm_report(const std::vector<std::string>& args);

}  // namespace quantlab::cli
