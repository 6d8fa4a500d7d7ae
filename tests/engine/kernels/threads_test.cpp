// Threads: the pool's contract (ranges, nesting, errors) and every parallelized kernel giving the
// same bits at 2 and 3 threads as at 1, over shapes that are split (above the GEMMs' parallel
// threshold) with ragged row blocks, panels and K.
#include "quantlab/threads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

#include "gemm_test_support.h"
#include "kernels/gemm_blocking.h"
#include "qc4w_test_weights.h"
#include "quantlab/error.h"
#include "quantlab/kernels.h"

namespace quantlab::testing {
namespace {

using namespace quantlab::kernels;

// Restores the thread count a test changed.
class ThreadCount {
 public:
  ThreadCount() : saved_(thread_count()) {}
  ~ThreadCount() { set_thread_count(saved_); }

 private:
  size_t saved_;
};

// False in the WebAssembly build without pthreads, where every count means 1.
bool pool_has_threads() {
  ThreadCount restore;
  set_thread_count(2);
  return thread_count() == 2;
}

TEST(ThreadPool, RangesCoverEachIndexOnceAlignedAndInParallel) {
  if (!pool_has_threads()) GTEST_SKIP() << "this build has no threads";
  ThreadCount restore;
  for (size_t threads : {1, 2, 3, 5}) {
    set_thread_count(threads);
    EXPECT_EQ(thread_count(), threads);
    for (size_t count : {1, 2, 7, 8, 9, 100, 1001}) {
      std::vector<std::atomic<int>> seen(count);
      std::atomic<size_t> ranges{0};
      parallel_ranges(count, 4, [&](size_t begin, size_t end) {
        ++ranges;
        EXPECT_LT(begin, end);
        if (end != count) {
          EXPECT_EQ((end - begin) % 4, 0u);
        }
        for (size_t i = begin; i < end; ++i) ++seen[i];
      });
      for (size_t i = 0; i < count; ++i) ASSERT_EQ(seen[i], 1) << i;
      EXPECT_LE(ranges, threads);
      EXPECT_EQ(ranges, std::min(threads, (count + 3) / 4));
    }
  }
}

TEST(ThreadPool, NestedCallsRunInlineAndErrorsReachTheCaller) {
  if (!pool_has_threads()) GTEST_SKIP() << "this build has no threads";
  ThreadCount restore;
  set_thread_count(3);
  std::atomic<size_t> inner_ranges{0};
  parallel_ranges(3, 1, [&](size_t, size_t) {
    parallel_ranges(10, 1, [&](size_t begin, size_t end) {
      EXPECT_EQ(begin, 0u);
      EXPECT_EQ(end, 10u);
      ++inner_ranges;
    });
  });
  EXPECT_EQ(inner_ranges, 3u);
  EXPECT_THROW(parallel_ranges(9, 1,
                               [](size_t begin, size_t) {
                                 if (begin > 0) throw std::runtime_error("range failed");
                               }),
               std::runtime_error);
  // The pool still works after a failed job.
  std::atomic<size_t> sum{0};
  parallel_ranges(9, 1, [&](size_t begin, size_t end) { sum += end - begin; });
  EXPECT_EQ(sum, 9u);
}

// Back-to-back jobs of changing range counts, with other threads calling in: a pool thread that
// has no range in one job must not run a range of the next (the jobs live on the caller's stack,
// so the next one can sit at the same address), and no range may run twice or be skipped.
TEST(ThreadPool, BackToBackJobsOfChangingWidthRunEachRangeOnce) {
  if (!pool_has_threads()) GTEST_SKIP() << "this build has no threads";
  ThreadCount restore;
  std::atomic<bool> stop{false};
  std::thread other_caller([&] {
    while (!stop) {
      std::atomic<size_t> sum{0};
      parallel_ranges(64, 1, [&](size_t begin, size_t end) { sum += end - begin; });
      ASSERT_EQ(sum, 64u);
    }
  });
  for (size_t round = 0; round < 1000; ++round) {
    set_thread_count(1 + round % 4);
    const size_t count = 1 + round * 37 % 1000;
    std::vector<std::atomic<int>> runs(count);
    parallel_ranges(count, 1 + round % 3, [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i) ++runs[i];
    });
    for (size_t i = 0; i < count; ++i)
      ASSERT_EQ(runs[i], 1) << "round " << round << ", index " << i;
  }
  stop = true;
  other_caller.join();
}

// A kernel call writing `bytes` of output to the pointer it is given.
struct KernelCall {
  std::string name;
  size_t bytes;
  std::function<void(void*)> run;
};

// Runs each call at 1, 2 and 3 threads; the output bytes must match.
void expect_same_bits_at_every_thread_count(const std::vector<KernelCall>& calls,
                                            const std::string& shape) {
  ThreadCount restore;
  for (const KernelCall& call : calls) {
    std::vector<unsigned char> one(call.bytes);
    set_thread_count(1);
    call.run(one.data());
    for (size_t threads : {2, 3}) {
      std::vector<unsigned char> many(call.bytes);
      set_thread_count(threads);
      call.run(many.data());
      ASSERT_EQ(std::memcmp(one.data(), many.data(), call.bytes), 0)
          << call.name << " " << shape << " at " << threads << " threads";
    }
  }
}

float* floats_at(void* c) { return static_cast<float*>(c); }

// M: a row block split unevenly and one past a chunk; N: a ragged panel; K: ragged, and past
// the int8 kernel's widening limit (1024).
struct GemmShape {
  size_t m, n, k;
};
const std::vector<GemmShape> kSplitShapes = {{67, 133, 301}, {256, 40, 1030}, {24, 1001, 64}};

// GEMVs and GEMMs with fewer rows than two register blocks, whose columns are split: N off every
// tile and panel width, N of fewer panels (16 columns) and FP32 tiles (8) than 3 threads need
// (20 columns: 2 panels, 3 tiles), odd K.
const std::vector<GemmShape> kColumnSplitShapes = {
    {1, 1001, 8389}, {1, 20, 419431}, {2, 37, 120001}, {3, 333, 8399}};

// One shape's operands and every GEMM entry point on them.
struct GemmCase {
  GemmShape s;
  std::vector<float> a, bias, wf;
  std::vector<int8_t> a8;
  PackedF32 f32;
  PackedQC8W qc8w;
  Qc4wWeights qc4w;

  GemmCase(Random& random, GemmShape shape, bool symmetric)
      : s(shape),
        a(random.floats(s.m * s.k)),
        bias(random.floats(s.n)),
        wf(random.floats(s.n * s.k)),
        a8(random.ints<int8_t>(s.m * s.k, -128, 127)),
        f32(pack_f32(wf.data(), s.n, s.k)),
        qc8w(pack_qc8w(random.ints<int8_t>(s.n * s.k, -127, 127).data(),
                       random.floats(s.n, 0.001f, 0.01f).data(), s.n, s.k)),
        qc4w(random, s.n, s.k, 32, symmetric) {}

  std::vector<KernelCall> calls(Impl impl) const {
    const size_t floats = s.m * s.n * sizeof(float);
    const AffineParams a_params{0.02f, 3};
    const float* b = bias.data();
    return {
        {"gemm_f32", floats,
         [=, this](void* c) { gemm_f32(s.m, a.data(), s.k, f32, b, floats_at(c), s.n, impl); }},
        {"gemm_qs8_qc8w_i32", s.m * s.n * sizeof(int32_t),
         [=, this](void* c) {
           gemm_qs8_qc8w_i32(s.m, a8.data(), s.k, 3, qc8w, static_cast<int32_t*>(c), s.n, impl);
         }},
        {"gemm_qd8_qc8w_f32", floats,
         [=, this](void* c) {
           gemm_qd8_qc8w_f32(s.m, a.data(), s.k, qc8w, b, floats_at(c), s.n, impl);
         }},
        {"gemm_qs8_qc8w_qs8", s.m * s.n,
         [=, this](void* c) {
           gemm_qs8_qc8w_qs8(s.m, a8.data(), s.k, a_params, qc8w, b, {0.05f, -2},
                             static_cast<int8_t*>(c), s.n, impl);
         }},
        {"gemm_f32_qc4w", floats,
         [=, this](void* c) {
           gemm_f32_qc4w(s.m, a.data(), s.k, qc4w.packed, b, floats_at(c), s.n, impl);
         }},
        {"gemm_qd8_qc4w_f32", floats,
         [=, this](void* c) {
           gemm_qd8_qc4w_f32(s.m, a.data(), s.k, qc4w.packed, b, floats_at(c), s.n, impl);
         }},
        {"gemm_qs8_qc4w_group_i32", s.m * s.n * qc4w.groups * sizeof(int32_t), [=, this](void* c) {
           gemm_qs8_qc4w_group_i32(s.m, a8.data(), s.k, 3, qc4w.packed, static_cast<int32_t*>(c),
                                   impl);
         }}};
  }
};

TEST(ThreadedKernels, GemmsGiveTheSameBitsAtEveryThreadCount) {
  Random random(7);
  for (const GemmShape& s : kSplitShapes) {
    const GemmCase gemm(random, s, false);
    expect_same_bits_at_every_thread_count(gemm.calls(default_impl()), shape_name(s.m, s.n, s.k));
  }
}

TEST(ThreadedKernels, GemvsGiveTheSameBitsAtEveryThreadCount) {
  Random random(13);
  for (const GemmShape& s : kColumnSplitShapes) {
    // Above the column split's threshold in every kernel's measure of work (the relaxed W4A8
    // kernel's, M · N · K bytes of codes, is the smallest), so the columns are split.
    ASSERT_GE(s.m * s.n * s.k, kColumnSplitMinWork) << shape_name(s.m, s.n, s.k);
    const GemmCase gemm(random, s, s.n % 2 == 0);
    for (Impl impl : {Impl::wasmsimd, Impl::relaxed}) {
      std::vector<KernelCall> calls = gemm.calls(impl);
      // Float activations have no relaxed kernel: their SIMD128 run covers them.
      if (impl == Impl::relaxed) {
        std::erase_if(calls, [](const KernelCall& c) { return c.name.starts_with("gemm_f32"); });
      }
      expect_same_bits_at_every_thread_count(calls,
                                             shape_name(s.m, s.n, s.k) + " " + impl_name(impl));
    }
  }
}

TEST(ThreadedKernels, ConvolutionsGiveTheSameBitsAtEveryThreadCount) {
  Random random(11);
  // A first layer (direct kernel), a strided padded im2col layer, and an odd batch.
  const std::vector<Conv2dShape> shapes = {
      {5, 1, 12, 13, 16, 3, 3, 1, 1}, {3, 6, 9, 11, 10, 3, 2, 2, 1}, {7, 16, 7, 7, 32, 3, 3, 1, 1}};
  for (const Conv2dShape& s : shapes) {
    const size_t inputs = s.batch * s.in_channels * s.height * s.width;
    const size_t bytes = s.batch * s.out_channels * s.out_height() * s.out_width() * sizeof(float);
    const std::vector<float> input = random.floats(inputs);
    const std::vector<int8_t> input8 = random.ints<int8_t>(inputs, -128, 127);
    const std::vector<float> bias = random.floats(s.out_channels);
    const std::vector<float> wf = random.floats(s.out_channels * s.reduction());
    const PackedF32 f32 = pack_f32(wf.data(), s.out_channels, s.reduction());
    const std::vector<int8_t> codes =
        random.ints<int8_t>(s.out_channels * s.reduction(), -127, 127);
    const std::vector<float> scales = random.floats(s.out_channels, 0.001f, 0.01f);
    const PackedQC8W qc8w = pack_qc8w(codes.data(), scales.data(), s.out_channels, s.reduction());
    const Qc4wWeights qc4w(random, s.out_channels, s.reduction(), s.reduction(), true);
    const AffineParams params{0.03f, -5};
    const float* b = bias.data();
    const PackedQC4W& w4 = qc4w.packed;
    expect_same_bits_at_every_thread_count(
        {{"conv2d_f32", bytes, [&](void* c) { conv2d_f32(s, input.data(), f32, b, floats_at(c)); }},
         {"conv2d_qs8_qc8w_f32", bytes,
          [&](void* c) { conv2d_qs8_qc8w_f32(s, input8.data(), params, qc8w, b, floats_at(c)); }},
         {"conv2d_qd8_qc8w_f32", bytes,
          [&](void* c) { conv2d_qd8_qc8w_f32(s, input.data(), qc8w, b, floats_at(c)); }},
         {"conv2d_f32_qc4w", bytes,
          [&](void* c) { conv2d_f32_qc4w(s, input.data(), w4, b, floats_at(c)); }},
         {"conv2d_qd8_qc4w_f32", bytes,
          [&](void* c) { conv2d_qd8_qc4w_f32(s, input.data(), w4, b, floats_at(c)); }},
         {"conv2d_qs8_qc4w_f32", bytes,
          [&](void* c) { conv2d_qs8_qc4w_f32(s, input8.data(), params, w4, b, floats_at(c)); }}},
        "batch " + std::to_string(s.batch) + " in " + std::to_string(s.in_channels) + " out " +
            std::to_string(s.out_channels));
  }
}

TEST(ThreadedKernels, AConvolutionErrorOnAnotherThreadReachesTheCaller) {
  ThreadCount restore;
  set_thread_count(2);
  const Conv2dShape s{4, 1, 6, 6, 4, 3, 3, 1, 1};
  std::vector<float> input(4 * 36, 0.5f);
  input[3 * 36 + 7] = std::numeric_limits<float>::infinity();  // the last image, another range
  const std::vector<float> weights(4 * 9, 0.1f);
  std::vector<int8_t> codes(4 * 9, 3);
  const std::vector<float> scales(4, 0.01f);
  const PackedQC8W w = pack_qc8w(codes.data(), scales.data(), 4, 9);
  std::vector<float> output(4 * 4 * 36);
  EXPECT_THROW(conv2d_qd8_qc8w_f32(s, input.data(), w, nullptr, output.data()), InvalidArgument);
}

}  // namespace
}  // namespace quantlab::testing
