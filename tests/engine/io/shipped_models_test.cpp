// The models shipped in models/: each loads strictly, saves back to the same bytes, and its
// weights reproduce the test accuracy its manifest records.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "quantlab/eval.h"
#include "quantlab/io.h"
#include "quantlab/nn.h"
#include "shipped_data.h"

namespace quantlab {
namespace {

using testing::kRoot;
using testing::shipped_models;

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

    const nn::Examples examples = testing::shipped_examples(manifest, "test");
    const eval::Evaluation result = eval::evaluate(nn::Executor(model), examples);
    EXPECT_EQ(static_cast<double>(result.correct), manifest.metrics.at("test_correct"));
    EXPECT_EQ(static_cast<double>(result.count), manifest.metrics.at("test_count"));
  }
  std::filesystem::remove_all(out);
}

}  // namespace
}  // namespace quantlab
