// Dataset splits as training/evaluation examples, shared by the train and eval commands.
#pragma once

#include <string>

#include "quantlab/io.h"
#include "quantlab/nn.h"

namespace quantlab::cli {

// Directory holding the IDX files of `dataset` unless --data overrides it: build/data/<dataset>,
// written by scripts/build.d/10-datasets.sh, relative to the repository root.
std::string default_data_dir(const std::string& dataset);

// `split` ("train" or "test") of the IDX files in data_dir, normalised per `input`.
nn::Examples load_examples(const std::string& data_dir, const std::string& split,
                           const InputSpec& input);

}  // namespace quantlab::cli
