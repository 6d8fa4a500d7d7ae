// The engine's side of the relaxed-SIMD kernels: installing the module, and each call's
// arguments (relaxed/relaxed_abi.h) with the activations laid out as the kernels read them.
//
// In wasm the kernels are a separate module compiled by clang-19 (Emscripten 3.1.6's clang 14
// has no relaxed-SIMD builtins, and relaxed instructions inside the engine would make the whole
// engine invalid where relaxed SIMD is off). Installing instantiates it against the engine's
// own memory and appends its three functions to the engine's function table, so C++ calls them
// through plain function pointers: no JavaScript in between. The module uses no stack and no
// data (the build checks), so sharing the memory needs no allocation.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/gemm_blocking.h"
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
int32_t quantlab_relaxed_probe(int32_t a, int32_t b, int32_t c);
}

#if defined(__EMSCRIPTEN__)
// Links the module into this thread's function table and returns the index of the first of its
// three functions (the two kernels, then the probe): at the table's end when `at` is negative,
// else at `at` (the index another thread got: a pthread has a table of its own, and every thread
// must call the same index). Returns -1 when this JavaScript engine rejects the module (no
// relaxed SIMD, or a module made for the other build's memory) or `at` is taken. Compiled
// synchronously: the engine runs in a worker (or Node), where that is allowed for a module of
// any size. The bytes are read through the memory's own buffer: on a pthread, Emscripten's HEAP
// views may predate a growth.
EM_JS(int, quantlab_link_relaxed_module, (const uint8_t* bytes, size_t size, int at), {
  try {
    var code = new Uint8Array(wasmMemory.buffer, bytes, size).slice();
    if (!WebAssembly.validate(code)) return -1;
    var module = new WebAssembly.Module(code);
    var kernels = new WebAssembly.Instance(module, {env : {memory : wasmMemory}}).exports;
    var first = at < 0 ? wasmTable.length : at;
    if (first < wasmTable.length && wasmTable.get(first)) return -1;
    if (wasmTable.length < first + 3) wasmTable.grow(first + 3 - wasmTable.length);
    wasmTable.set(first, kernels.quantlab_relaxed_qc4w);
    wasmTable.set(first + 1, kernels.quantlab_relaxed_qc8w);
    wasmTable.set(first + 2, kernels.quantlab_relaxed_probe);
    return first;
  } catch (error) {
    return -1;
  }
});
#endif

namespace quantlab::kernels {
namespace {

// How a one-instruction lowering of the fused dot reads its 7-bit operand's full byte.
enum class ByteReading { none, unsigned8, signed8 };

struct RelaxedKernels {
  void (*qc4w)(const relaxed::QC4WArgs*) = nullptr;
  void (*qc8w)(const relaxed::QC8WArgs*) = nullptr;
  int32_t (*probe)(int32_t, int32_t, int32_t) = nullptr;
  bool installed = false;
  // Whether the fused dot is one instruction here (below): then the INT8 GEMM is faster too.
  bool single_instruction_dot = false;
  // How that instruction reads a full byte of its 7-bit operand, where it reads one exactly
  // (below): the INT8 GEMM then takes one dot per 4 k instead of two (Eq. 58).
  ByteReading byte_reading = ByteReading::none;
};

// The probe's lanes a = (−1, 1, 127, −128), b = (127, 1, 0, 127), accumulator 1000: a dot product
// of −16382, so −15382 is the only right answer. Node 20's baseline compiler (Liftoff), which
// runs every function first, returns −32764 (twice the dot, the accumulator dropped): where the
// probe fails the module is refused and the SIMD128 kernels stay.
bool fused_dot_is_right(const RelaxedKernels& kernels) {
  return kernels.probe(static_cast<int32_t>(0x807F01FF), 0x7F00017F, 1000) == -15382;
}

// How the JavaScript engine lowered the fused dot shows in what it makes of a 7-bit operand
// with its high bit set, which the kernels never pass (docs/quantization.md §10.1): 127 · 255 in
// all 4 products of a lane gives 129540 where it is AVX-VNNI's vpdpbusd (b unsigned, no
// saturation, one instruction), −508 on Arm's sdot (b signed, one instruction), and 65534 where
// x64 without VNNI takes pmaddubsw (pairs saturated to 32767), pmaddwd and an add.
constexpr int32_t kProbeUnsigned = 4 * 127 * 255;
constexpr int32_t kProbeSigned = 4 * 127 * -1;
constexpr int32_t kProbeSaturated = 2 * 32767;

int32_t high_bit_probe(const RelaxedKernels& kernels) { return kernels.probe(0x7F7F7F7F, -1, 0); }

bool dot_is_single_instruction(const RelaxedKernels& kernels) {
  return high_bit_probe(kernels) != kProbeSaturated;
}

// vpdpbusd and sdot read the whole byte, unsigned or signed, and add the 4 products of a lane
// without an i16 step: the first probe's answer is exactly 4 · 127 · 255 or 4 · 127 · (−1), and
// the largest products a full byte can make, 4 · (−128) · 255 unsigned or 4 · (−128)² signed,
// come out exact (an i16 pair step would wrap or saturate them). Any other answer (pmaddubsw's
// saturation, a lowering not seen yet) keeps the two-plane layout, exact on every lowering.
ByteReading byte_reading(const RelaxedKernels& kernels) {
  const int32_t answer = high_bit_probe(kernels);
  const int32_t min_byte = static_cast<int32_t>(0x80808080);
  if (answer == kProbeUnsigned && kernels.probe(min_byte, -1, 0) == 4 * -128 * 255) {
    return ByteReading::unsigned8;
  }
  if (answer == kProbeSigned && kernels.probe(min_byte, min_byte, 0) == 4 * -128 * -128) {
    return ByteReading::signed8;
  }
  return ByteReading::none;
}

void read_lowering(RelaxedKernels& kernels) {
  kernels.single_instruction_dot = dot_is_single_instruction(kernels);
  kernels.byte_reading = byte_reading(kernels);
}

RelaxedKernels& relaxed_kernels() {
#if defined(__EMSCRIPTEN__)
  static RelaxedKernels kernels;
#else
  // Natively the kernels are linked in, their fused dot reading bytes as sdot does
  // (relaxed/relaxed_simd.h), so Impl::relaxed runs them as installed ones would, while the
  // default stays SIMD128.
  static RelaxedKernels kernels = [] {
    RelaxedKernels linked{&quantlab_relaxed_qc4w, &quantlab_relaxed_qc8w, &quantlab_relaxed_probe};
    read_lowering(linked);
    return linked;
  }();
#endif
  return kernels;
}

#if defined(__EMSCRIPTEN_PTHREADS__)
// The module's bytes, kept by install_relaxed_simd for the pool's threads to link.
std::vector<uint8_t>& module_bytes_copy() {
  static std::vector<uint8_t> bytes;
  return bytes;
}

thread_local bool linked_on_this_thread = false;

// Each pthread has a function table of its own over the shared memory: a thread links the
// module into its table, at the index the installing thread got, before its first call.
void link_on_this_thread(const RelaxedKernels& kernels) {
  if (linked_on_this_thread) return;
  const std::vector<uint8_t>& bytes = module_bytes_copy();
  const int at = static_cast<int>(reinterpret_cast<uintptr_t>(kernels.qc4w));
  require(quantlab_link_relaxed_module(bytes.data(), bytes.size(), at) == at,
          "the relaxed-SIMD kernels could not be linked on a pool thread");
  linked_on_this_thread = true;
}
#endif

const RelaxedKernels& available_kernels() {
  const RelaxedKernels& kernels = relaxed_kernels();
  require(kernels.qc4w != nullptr,
          "the relaxed-SIMD kernels are not installed (install_relaxed_simd)");
#if defined(__EMSCRIPTEN_PTHREADS__)
  link_on_this_thread(kernels);
#endif
  return kernels;
}

// Rows, or a GEMV's 16-column panels, are split across the pool's threads as the SIMD128 GEMMs
// split them (gemm_blocking.h): both kernels compute each row and each panel on its own, so a
// range gives the same bits on any thread.
constexpr size_t kRelaxedRangeRows = 2;

// INT8 GEMMs with fewer rows stay on the SIMD128 GEMV: it streams the weights once at the
// memory's bandwidth, and the relaxed GEMM's per-panel layout pass would cost as much.
constexpr size_t kRelaxedMinRows = 4;

// Impl::fastest, from same-run ratios on x64 (AMD EPYC Zen 4 with AVX-VNNI, 2-core VM, loaded;
// docs/quantization.md §10.1 has the figures). The W4A8 kernels beat SIMD128 on either lowering
// of the fused dot (one relaxed dot against four i16 dots, an add and a nibble spread), the GEMM
// by 1.3-3.6× and the GEMV by 1.1-1.8×. The INT8 GEMM needs two dots per 16 products (Eq. 56),
// or one where the dot reads a full byte (Eq. 58): where the dot is vpdpbusd (Chromium) it beat
// SIMD128's pmaddwd + add even with two, where it is pmaddubsw, pmaddwd and an add (Node 20) it
// lost (0.89×). Its activation layout pass costs per row and k, its saving per row, k and
// column, so narrow products stay on SIMD128: in Chromium (vpdpbusd, Eq. 58) fashion-cnn's
// second convolution, N = 32, ran 0.71-1.04× SIMD128 on it, GEMM 256×1024×1024 1.65-1.81×.
// (Below kRelaxedMinRows the relaxed INT8 entry runs the SIMD128 GEMV itself.)
constexpr size_t kRelaxedMinColumns = 64;

bool relaxed_is_faster_qc8w(size_t n) {
  return n >= kRelaxedMinColumns && relaxed_kernels().single_instruction_dot;
}

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

// The INT8 kernel's activations (QC8WArgs): bytes [block of 2 rows][k quad][row][planes · 4],
// rows past M zero, and d_r per row.
struct QC8WActivations {
  uint32_t planes = 2;
  size_t block_bytes = 0;  // one block of 2 rows
  std::vector<uint8_t> bytes;
  std::vector<int32_t> offsets;
};

// One plane where the lowering reads a full byte and every row's values (padding included) span
// at most 255 (always, for 8-bit activations): c + d_r with d_r = −min_k c, or −min_k c − 128 for a
// signed reading (Eq. 58). Otherwise two planes: c + 255 in [0, 510] = low + 128 · high (Eq. 56).
QC8WActivations lay_out_activations(const CenteredRows& a, ByteReading reading) {
  QC8WActivations out;
  out.offsets.resize(a.m);
  bool fits = reading != ByteReading::none;
  for (size_t i = 0; i < a.m && fits; ++i) {
    // Branch-free, so that it vectorizes: std::minmax_element's branches mispredict on
    // activations and cost more than the GEMM on a convolution's short rows.
    int32_t low = 0, high = 0;
    for (const int16_t* v = a.row(i); v != a.row(i) + a.kpad; ++v) {
      low = std::min<int32_t>(low, *v);
      high = std::max<int32_t>(high, *v);
    }
    fits = high - low <= 255;
    out.offsets[i] = -low - (reading == ByteReading::signed8 ? 128 : 0);
  }
  out.planes = fits ? 1 : 2;
  const size_t row_quad = out.planes * 4;
  out.block_bytes = a.kpad / 4 * kQC8WBlockRows * row_quad;
  out.bytes.assign((a.m + 1) / kQC8WBlockRows * out.block_bytes, 0);
  // One plane: the byte the lowering reads as the value; two: its low 7 bits, then the rest.
  const int32_t low_bits = fits ? 255 : 127;
  for (size_t i = 0; i < a.m; ++i) {
    if (!fits) out.offsets[i] = 255;
    // In locals: stores through a uint8_t* may alias anything, so members would be reloaded.
    const int16_t* row = a.row(i);
    const int32_t offset = out.offsets[i];
    uint8_t* row_at =
        out.bytes.data() + i / kQC8WBlockRows * out.block_bytes + i % kQC8WBlockRows * row_quad;
    for (size_t k = 0; k < a.kpad; ++k) {
      const int32_t value = row[k] + offset;
      uint8_t* at = row_at + k / 4 * kQC8WBlockRows * row_quad + k % 4;
      at[0] = static_cast<uint8_t>(value & low_bits);
      if (!fits) at[4] = static_cast<uint8_t>(value >> 7);
    }
  }
  return out;
}

void run_qc4w(const CenteredRows& a, const PackedQC4W& w, const float* bias, float* c, size_t ldc,
              int32_t* acc) {
  const std::vector<int8_t> codes = permuted_codes(a);
  const size_t groups = w.groups();
  const std::vector<int32_t> sums = centered_group_sums(a, w.group_size, groups);
  const auto range = [&](size_t begin, size_t end, size_t col_begin, size_t col_end) {
    const relaxed::QC4WArgs args{static_cast<uint32_t>(end - begin),
                                 static_cast<uint32_t>(w.n),
                                 static_cast<uint32_t>(a.kpad),
                                 static_cast<uint32_t>(groups),
                                 static_cast<uint32_t>(w.group_size),
                                 static_cast<uint32_t>(w.k),
                                 w.symmetric,
                                 codes.data() + begin * a.kpad,
                                 a.zero_points.data() + begin,
                                 sums.data() + begin * groups,
                                 a.scales.data() + begin,
                                 w.data.data(),
                                 w.scales.data(),
                                 w.zero_points.data(),
                                 w.code_sums.data(),
                                 bias,
                                 c != nullptr ? c + begin * ldc : nullptr,
                                 static_cast<uint32_t>(ldc),
                                 acc != nullptr ? acc + begin * w.n * groups : nullptr,
                                 static_cast<uint32_t>(col_begin),
                                 static_cast<uint32_t>(col_end)};
    available_kernels().qc4w(&args);
  };
  for_output_ranges<kRelaxedRangeRows>(a.m, w.n, kIntPanelTiles * kIntTileN, a.m * w.n * a.kpad,
                                       range);
}

}  // namespace

bool install_relaxed_simd([[maybe_unused]] const uint8_t* module_bytes,
                          [[maybe_unused]] size_t size) {
  RelaxedKernels& kernels = relaxed_kernels();
#if defined(__EMSCRIPTEN__)
  if (kernels.qc4w == nullptr) {
    const int first = quantlab_link_relaxed_module(module_bytes, size, -1);
    if (first < 0) return false;
    RelaxedKernels linked;
    linked.qc4w = reinterpret_cast<void (*)(const relaxed::QC4WArgs*)>(first);
    linked.qc8w = reinterpret_cast<void (*)(const relaxed::QC8WArgs*)>(first + 1);
    linked.probe = reinterpret_cast<int32_t (*)(int32_t, int32_t, int32_t)>(first + 2);
    if (!fused_dot_is_right(linked)) return false;
#if defined(__EMSCRIPTEN_PTHREADS__)
    module_bytes_copy().assign(module_bytes, module_bytes + size);
    linked_on_this_thread = true;
#endif
    kernels = linked;
  }
#endif
  read_lowering(kernels);
  kernels.installed = true;
  return true;
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
  const QC8WActivations activations = lay_out_activations(a, relaxed_kernels().byte_reading);
  for_row_ranges<kRelaxedRangeRows>(a.m, a.m * w.n * a.kpad, [&](size_t begin, size_t end) {
    AlignedBuffer scratch(kQC8WPanelN * a.kpad + 4 * 16);  // one per range: they run at once
    const relaxed::QC8WArgs args{
        static_cast<uint32_t>(end - begin),
        static_cast<uint32_t>(w.n),
        static_cast<uint32_t>(a.kpad),
        activations.planes,
        activations.bytes.data() + begin / kQC8WBlockRows * activations.block_bytes,
        activations.offsets.data() + begin,
        reinterpret_cast<const int8_t*>(w.data.data()),
        reinterpret_cast<int8_t*>(scratch.data()),
        acc + begin * ldacc,
        static_cast<uint32_t>(ldacc)};
    available_kernels().qc8w(&args);
  });
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
      return gemm_qs8_qc8w_i32__wasmsimd(a, w, acc, ldacc);
    case Impl::relaxed:
      return gemm_qs8_qc8w_i32__relaxed(a, w, acc, ldacc);
    case Impl::fastest:
      return gemm_qs8_qc8w_i32_impl(a, w, acc, ldacc,
                                    relaxed_is_faster_qc8w(w.n) ? Impl::relaxed : Impl::wasmsimd);
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
    case Impl::fastest:  // the relaxed W4A8 kernels won on every lowering measured (above)
      return gemm_qd8_qc4w_f32__relaxed(a, w, bias, c, ldc);
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
    case Impl::fastest:  // as above
      return gemm_qs8_qc4w_group_i32__relaxed(a, w, acc);
  }
}

}  // namespace quantlab::kernels
