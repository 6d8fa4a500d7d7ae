// The engine's side of the relaxed-SIMD kernels: installing the module, and each call's
// arguments (relaxed/relaxed_abi.h) with the activations laid out as the kernels read them.
//
// In wasm the kernels are a separate module compiled by clang-19 (Emscripten 3.1.6's clang 14
// has no relaxed-SIMD builtins, and relaxed instructions inside the engine would make the whole
// engine invalid where relaxed SIMD is off). Installing instantiates it against the engine's
// own memory and appends its two functions to the engine's function table, so C++ calls them
// through plain function pointers: no JavaScript in between. The module uses no stack and no
// data (the build checks), so sharing the memory needs no allocation.
#include <cstring>
#include <string>
#include <vector>

#include "kernels/kernel_impls.h"
#include "kernels/packed_layouts.h"
#include "kernels/relaxed/relaxed_abi.h"
#include "quantlab/error.h"

#if defined(__EMSCRIPTEN__)
#include <emscripten/emscripten.h>
#endif

extern "C" {
void quantlab_relaxed_qc4w(const quantlab::kernels::relaxed::QC4WArgs* args);
void quantlab_relaxed_qc8w(const quantlab::kernels::relaxed::QC8WArgs* args);
}

#if defined(__EMSCRIPTEN__)
// Returns the table index of the first of the two kernels, or -1 when this JavaScript engine
// rejects the module (no relaxed SIMD) or cannot compile it here. Compiled synchronously: the
// engine runs in a worker (or Node), where that is allowed for a module of any size.
EM_JS(int, quantlab_link_relaxed_module, (const uint8_t* bytes, size_t size), {
  try {
    var code = HEAPU8.slice(bytes, bytes + size);
    if (!WebAssembly.validate(code)) return -1;
    var module = new WebAssembly.Module(code);
    var kernels = new WebAssembly.Instance(module, {env : {memory : wasmMemory}}).exports;
    var first = wasmTable.length;
    wasmTable.grow(2);
    wasmTable.set(first, kernels.quantlab_relaxed_qc4w);
    wasmTable.set(first + 1, kernels.quantlab_relaxed_qc8w);
    return first;
  } catch (error) {
    return -1;
  }
});
#endif

namespace quantlab::kernels {
namespace {

struct RelaxedKernels {
  void (*qc4w)(const relaxed::QC4WArgs*) = nullptr;
  void (*qc8w)(const relaxed::QC8WArgs*) = nullptr;
  bool installed = false;
};

RelaxedKernels& relaxed_kernels() {
#if defined(__EMSCRIPTEN__)
  static RelaxedKernels kernels;
#else
  static RelaxedKernels kernels{&quantlab_relaxed_qc4w, &quantlab_relaxed_qc8w, false};
#endif
  return kernels;
}

const RelaxedKernels& available_kernels() {
  const RelaxedKernels& kernels = relaxed_kernels();
  require(kernels.qc4w != nullptr,
          "the relaxed-SIMD kernels are not installed (install_relaxed_simd)");
  return kernels;
}

// INT8 GEMMs with fewer rows stay on the SIMD128 GEMV: it streams the weights once at the
// memory's bandwidth, and the relaxed GEMM's per-panel layout pass would cost as much.
constexpr size_t kRelaxedMinRows = 4;

// Impl::fastest, from measurements in Node 20 (V8 11.3) on x64 (AMD EPYC Zen 4, loaded 2-core
// VM, medians of interleaved calls): the relaxed W4A8 GEMM took 48 ms against SIMD128's 69 at
// 256×1024×1024 (1.43×), but the W4A8 GEMV 14.8 against 10.3 ms at 1×4096×11008 (equal in
// cache, 1×1024×1024) and the INT8 GEMM 67 against 45 ms at 256×1024×1024. V8 lowers the relaxed
// dot to pmaddubsw, which multiplies 16 pairs but sums them into i16 only: an exact 8×8-bit
// product then needs two of them plus a pmaddwd and an add to widen, against one pmaddwd and an
// add for SIMD128's 8 pairs (docs/quantization.md §10.1).
bool relaxed_is_faster_qc4w(size_t m) { return m >= 2; }

// The block order of relaxed/gemm_qc4w_relaxed.cpp: k = 0 4 1 5 2 6 3 7.
constexpr size_t kQuadOrder[kIntBlockK] = {0, 4, 1, 5, 2, 6, 3, 7};

// Codes q = c + z_a (back in [-128, 127]) in the kernel's block order; padding holds z_a,
// which meets weight code 0.
std::vector<int8_t> permuted_codes(const CenteredRows& a) {
  std::vector<int8_t> codes(a.m * a.kpad);
  for (size_t i = 0; i < a.m; ++i) {
    const int16_t* row = a.row(i);
    int8_t* out = codes.data() + i * a.kpad;
    for (size_t k0 = 0; k0 < a.kpad; k0 += kIntBlockK) {
      for (size_t j = 0; j < kIntBlockK; ++j) {
        out[k0 + j] = static_cast<int8_t>(row[k0 + kQuadOrder[j]] + a.zero_points[i]);
      }
    }
  }
  return codes;
}

constexpr size_t kQC8WBlockRows = 2;

// c + 255 in [0, 510] = low + 128 · high (Eq. 50), as
// [block of 2 rows][k quad][row][4 low bytes, 4 high bytes]; rows past M are zero.
std::vector<uint8_t> split_activations(const CenteredRows& a) {
  const size_t quads = a.kpad / 4;
  const size_t blocks = (a.m + kQC8WBlockRows - 1) / kQC8WBlockRows;
  std::vector<uint8_t> out(blocks * quads * kQC8WBlockRows * 8, 0);
  for (size_t i = 0; i < a.m; ++i) {
    const int16_t* row = a.row(i);
    uint8_t* block = out.data() + i / kQC8WBlockRows * quads * kQC8WBlockRows * 8;
    for (size_t q = 0; q < quads; ++q) {
      uint8_t* at = block + (q * kQC8WBlockRows + i % kQC8WBlockRows) * 8;
      for (size_t j = 0; j < 4; ++j) {
        const int32_t offset = row[4 * q + j] + 255;
        at[j] = static_cast<uint8_t>(offset & 127);
        at[4 + j] = static_cast<uint8_t>(offset >> 7);
      }
    }
  }
  return out;
}

void run_qc4w(const CenteredRows& a, const PackedQC4W& w, const float* bias, float* c, size_t ldc,
              int32_t* acc) {
  const std::vector<int8_t> codes = permuted_codes(a);
  const std::vector<int32_t> sums = centered_group_sums(a, w.group_size, w.groups());
  const relaxed::QC4WArgs args{static_cast<uint32_t>(a.m),
                               static_cast<uint32_t>(w.n),
                               static_cast<uint32_t>(a.kpad),
                               static_cast<uint32_t>(w.groups()),
                               static_cast<uint32_t>(w.group_size),
                               static_cast<uint32_t>(w.k),
                               w.symmetric,
                               codes.data(),
                               a.zero_points.data(),
                               sums.data(),
                               a.scales.data(),
                               w.data.data(),
                               w.scales.data(),
                               w.zero_points.data(),
                               w.code_sums.data(),
                               bias,
                               c,
                               static_cast<uint32_t>(ldc),
                               acc};
  available_kernels().qc4w(&args);
}

}  // namespace

bool install_relaxed_simd([[maybe_unused]] const uint8_t* module_bytes,
                          [[maybe_unused]] size_t size) {
#if defined(__EMSCRIPTEN_PTHREADS__)
  // Each pthread has a function table of its own, and the module would be linked into this
  // thread's only: the pool's threads would call an index they lack. The threaded build keeps
  // its SIMD128 kernels (docs/threads.md).
  return false;
#else
  RelaxedKernels& kernels = relaxed_kernels();
#if defined(__EMSCRIPTEN__)
  if (kernels.qc4w == nullptr) {
    const int first = quantlab_link_relaxed_module(module_bytes, size);
    if (first < 0) return false;
    kernels.qc4w = reinterpret_cast<void (*)(const relaxed::QC4WArgs*)>(first);
    kernels.qc8w = reinterpret_cast<void (*)(const relaxed::QC8WArgs*)>(first + 1);
  }
#endif
  kernels.installed = true;
  return true;
#endif
}

bool relaxed_simd_installed() { return relaxed_kernels().installed; }
bool relaxed_simd_available() { return relaxed_kernels().qc4w != nullptr; }
Impl default_impl() { return relaxed_simd_installed() ? Impl::fastest : Impl::wasmsimd; }
const char* simd_kernels_name() { return relaxed_simd_installed() ? "relaxed-simd" : "simd128"; }

void gemm_qs8_qc8w_i32__relaxed(const CenteredRows& a, const PackedQC8W& w, int32_t* acc,
                                size_t ldacc) {
  if (a.m < kRelaxedMinRows) {
    gemm_qs8_qc8w_i32__wasmsimd(a, w, acc, ldacc);
    return;
  }
  const std::vector<uint8_t> split = split_activations(a);
  AlignedBuffer scratch(kQC8WPanelN * a.kpad + 4 * 16);
  const relaxed::QC8WArgs args{static_cast<uint32_t>(a.m),
                               static_cast<uint32_t>(w.n),
                               static_cast<uint32_t>(a.kpad),
                               split.data(),
                               reinterpret_cast<const int8_t*>(w.data.data()),
                               reinterpret_cast<int8_t*>(scratch.data()),
                               acc,
                               static_cast<uint32_t>(ldacc)};
  available_kernels().qc8w(&args);
}

void gemm_qd8_qc4w_f32__relaxed(const CenteredRows& a, const PackedQC4W& w, const float* bias,
                                float* c, size_t ldc) {
  run_qc4w(a, w, bias, c, ldc, nullptr);
}

void gemm_qs8_qc4w_group_i32__relaxed(const CenteredRows& a, const PackedQC4W& w, int32_t* acc) {
  run_qc4w(a, w, nullptr, nullptr, 0, acc);
}

void gemm_qs8_qc8w_i32_impl(const CenteredRows& a, const PackedQC8W& w, int32_t* acc, size_t ldacc,
                            Impl impl) {
  switch (impl) {
    case Impl::ref:
      return gemm_qs8_qc8w_i32_ref(a, w, acc, ldacc);
    case Impl::wasmsimd:
    case Impl::fastest:  // the relaxed INT8 GEMM measured slower (above)
      return gemm_qs8_qc8w_i32__wasmsimd(a, w, acc, ldacc);
    case Impl::relaxed:
      return gemm_qs8_qc8w_i32__relaxed(a, w, acc, ldacc);
  }
}

void gemm_qd8_qc4w_f32_impl(const CenteredRows& a, const PackedQC4W& w, const float* bias, float* c,
                            size_t ldc, Impl impl) {
  switch (impl) {
    case Impl::ref:
      return gemm_qd8_qc4w_f32_ref(a, w, bias, c, ldc);
    case Impl::wasmsimd:
      return gemm_qd8_qc4w_f32__wasmsimd(a, w, bias, c, ldc);
    case Impl::relaxed:
      return gemm_qd8_qc4w_f32__relaxed(a, w, bias, c, ldc);
    case Impl::fastest:
      return gemm_qd8_qc4w_f32_impl(a, w, bias, c, ldc,
                                    relaxed_is_faster_qc4w(a.m) ? Impl::relaxed : Impl::wasmsimd);
  }
}

void gemm_qs8_qc4w_group_i32_impl(const CenteredRows& a, const PackedQC4W& w, int32_t* acc,
                                  Impl impl) {
  switch (impl) {
    case Impl::ref:
      return gemm_qs8_qc4w_group_i32_ref(a, w, acc);
    case Impl::wasmsimd:
      return gemm_qs8_qc4w_group_i32__wasmsimd(a, w, acc);
    case Impl::relaxed:
      return gemm_qs8_qc4w_group_i32__relaxed(a, w, acc);
    case Impl::fastest:
      return gemm_qs8_qc4w_group_i32_impl(
          a, w, acc, relaxed_is_faster_qc4w(a.m) ? Impl::relaxed : Impl::wasmsimd);
  }
}

}  // namespace quantlab::kernels
