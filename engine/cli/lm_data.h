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
// scripts/build.d/11-text-corpus.sh) as raw bytes.
std::string read_text_split(const std::string& data_dir, const std::string& split);

// The value of --name as a whole number (fallback when absent); anything else is an error naming
// the option.
size_t whole_option(const Arguments& args, const std::string& name, size_t fallback);

// Whether `dir` holds a language model (its manifest says "quantlab-lm").
bool is_language_model_dir(const std::string& dir);

// `quantlab report <model dir>` for a language model (report.cpp hands it over).
int run_lm_report(const std::vector<std::string>& args);

}  // namespace quantlab::cli
