// The engine's thread pool. Kernels and model execution split their work into contiguous
// ranges (GEMM rows, conv images), one per thread; a range is computed by the same code whichever
// thread runs it, so results are the same bits at every thread count (docs/quantization.md,
// "Threads").
#pragma once

#include <cstddef>
#include <type_traits>

namespace quantlab {

// Threads that work is split across, the calling thread included: 0 means default_thread_count().
// In a WebAssembly build without pthreads every count means 1. The pool keeps the threads it
// has started (an Emscripten pthread returns to its worker pool only through the event loop of
// the thread that made it, which a synchronous shrink-then-grow never reaches), so lowering
// the count parks threads and raising it again reuses them.
void set_thread_count(size_t threads);
size_t thread_count();

// Natively the hardware's threads (std::thread::hardware_concurrency, at least 1); 1 in
// WebAssembly, where the library passes the count it sized Emscripten's worker pool for.
size_t default_thread_count();

// The type-erased core of parallel_ranges.
using RangeBody = void (*)(void* context, size_t begin, size_t end);
void run_parallel_ranges(size_t count, size_t align, RangeBody body, void* context);

// Calls body(begin, end) on contiguous ranges that cover [0, count), at most thread_count() of
// them, concurrently, and returns when all have returned. Every range but the last is a
// multiple of `align` long, and the split depends only on count, align and thread_count().
// A call made from inside a body, or while another thread's call is running, runs
// body(0, count) inline. If bodies throw, the exception of the first such range is rethrown.
template <typename Body>
void parallel_ranges(size_t count, size_t align, Body&& body) {
  using Callable = std::remove_reference_t<Body>;
  run_parallel_ranges(
      count, align,
      [](void* context, size_t begin, size_t end) {
        (*static_cast<Callable*>(context))(begin, end);
      },
      const_cast<void*>(static_cast<const void*>(&body)));
}

}  // namespace quantlab
