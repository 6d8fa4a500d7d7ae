// The models shipped in models/: each loads strictly, saves back to the same bytes, and its
// weights reproduce the test accuracy its manifest records.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "quantlab/io.h"
#include "quantlab/nn.h"
#include "quantlab/train.h"

namespace quantlab {
namespace {

const std::filesystem::path kRoot = QUANTLAB_SOURCE_DIR;

std::vector<std::string> shipped_models() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kRoot / "models")) {
    if (std::filesystem::exists(entry.path() / kWeightsFileName)) {
      names.push_back(entry.path().filename().string());
    }
  }
  return names;
}

TEST(ShippedModels, LoadSaveIsByteExactAndAccuracyIsReproduced) {
  const std::vector<std::string> names = shipped_models();
  ASSERT_FALSE(names.empty());
  const std::filesystem::path out = std::filesystem::temp_directory_path() / "quantlab-shipped";
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const std::filesystem::path dir = kRoot / "models" / name;
    ModelManifest manifest;
    const nn::Model model = load_model(dir.string(), manifest);
    EXPECT_EQ(manifest.name, name);

    std::filesystem::create_directories(out);
    save_model(out.string(), model, manifest);
    for (const char* file : {kManifestFileName, kWeightsFileName}) {
      EXPECT_EQ(read_file_bytes((out / file).string()), read_file_bytes((dir / file).string()))
          << file;
    }

    const Dataset test =
        read_idx_dataset((kRoot / "build" / "data" / manifest.dataset).string(), "test");
    train::Examples examples{to_network_input(test.images, manifest.input), {}};
    for (uint8_t label : test.labels.values<uint8_t>()) examples.labels.push_back(label);
    const train::Evaluation result = train::evaluate(model, examples);
    EXPECT_EQ(static_cast<double>(result.correct), manifest.metrics.at("test_correct"));
    EXPECT_EQ(static_cast<double>(result.count), manifest.metrics.at("test_count"));
  }
  std::filesystem::remove_all(out);
}

}  // namespace
}  // namespace quantlab
