// Installs the relaxed-SIMD kernels before any test runs, as the library does when the
// JavaScript engine accepts them: the wasm suites then run every layer on the relaxed kernels by
// default (ctest passes Node its flags), while the native suites keep SIMD128 as their default.
// The kernel tests name each Impl explicitly, so both paths are tested either way. Where ctest
// runs Node on the compiler that gets the fused relaxed dot wrong, it sets
// QUANTLAB_RELAXED_EXPECTED=refused, and the install must fail.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "quantlab/kernels.h"

#if defined(__EMSCRIPTEN__)
#include <emscripten/emscripten.h>
#endif

namespace {

class RelaxedSimdEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
#if defined(__EMSCRIPTEN__)
    std::ifstream file(QUANTLAB_RELAXED_WASM, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                                     std::istreambuf_iterator<char>());
    ASSERT_FALSE(bytes.empty()) << "cannot read " << QUANTLAB_RELAXED_WASM;
    // ctest's ENVIRONMENT is Node's process.env, which Emscripten's getenv does not read.
    const bool refused =
        EM_ASM_INT({ return process.env.QUANTLAB_RELAXED_EXPECTED == "refused"; }) != 0;
    ASSERT_EQ(quantlab::kernels::install_relaxed_simd(bytes.data(), bytes.size()), !refused)
        << (refused ? "Node's baseline compiler should have failed the relaxed-SIMD probe"
                    : "Node rejected the relaxed-SIMD kernels (run it with "
                      "--experimental-wasm-relaxed-simd --no-liftoff)");
    ASSERT_EQ(std::string(quantlab::kernels::simd_kernels_name()),
              refused ? "simd128" : "relaxed-simd");
#endif
  }
};

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new RelaxedSimdEnvironment);

}  // namespace
