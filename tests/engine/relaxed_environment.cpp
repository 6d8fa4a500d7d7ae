// Installs the relaxed-SIMD kernels before any test runs, as the library does when the
// JavaScript engine accepts them: the wasm suites then run every layer on the relaxed kernels by
// default (ctest passes Node its flag), while the native suites keep SIMD128 as their default.
// The kernel tests name each Impl explicitly, so both paths are tested either way.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <vector>

#include "quantlab/kernels.h"

namespace {

class RelaxedSimdEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
#if defined(__EMSCRIPTEN__)
    std::ifstream file(QUANTLAB_RELAXED_WASM, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                                     std::istreambuf_iterator<char>());
    ASSERT_FALSE(bytes.empty()) << "cannot read " << QUANTLAB_RELAXED_WASM;
    ASSERT_TRUE(quantlab::kernels::install_relaxed_simd(bytes.data(), bytes.size()))
        << "Node rejected " << QUANTLAB_RELAXED_WASM
        << " (run it with --experimental-wasm-relaxed-simd)";
#endif
  }
};

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new RelaxedSimdEnvironment);

}  // namespace
