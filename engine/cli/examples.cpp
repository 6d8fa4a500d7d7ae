#include "examples.h"

#include <filesystem>

#include "gzip_files.h"
#include "quantlab/error.h"

namespace quantlab::cli {

std::string default_data_dir(const std::string& dataset) { return "build/data/" + dataset; }

nn::Examples load_examples(const std::string& data_dir, const std::string& split,
                           const InputSpec& input) {
  // The default directory is relative to the repository root, where scripts/build.sh puts it.
  require(std::filesystem::is_directory(data_dir),
          "no dataset directory " + data_dir +
              ": run from the repository root after scripts/build.sh, or pass --data DIR");
  const Dataset dataset = read_idx_dataset(data_dir, split, read_maybe_gzipped);
  nn::Examples examples;
  examples.inputs = to_network_input(dataset.images, input);
  for (uint8_t label : dataset.labels.values<uint8_t>()) examples.labels.push_back(label);
  return examples;
}

}  // namespace quantlab::cli
