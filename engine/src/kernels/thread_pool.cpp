// A fork-join pool of std::threads (Emscripten pthreads in the threaded wasm build): the calling
// thread runs the first range, each pool thread one of the others; a generation counter hands
// out jobs, so a woken thread never runs a job twice or misses one.
//
// Waiting threads spin for kSpinBeforeSleep before they block on a condition variable (pool
// threads for the next job, the caller for the others' ranges), as XNNPACK's pthreadpool and
// ONNX Runtime's pool do. Measured on the 2-vCPU VM (docs/threads.md, "Waking a sleeping
// thread"): a thread woken from a futex wait started 1–4 ms late after its core had idled, in
// native code as in wasm, so a 10 ms GEMM split in two took 6–10 ms; Chromium, 30 ms idle
// between calls, scaled 0.86–1.18× with blocking waits only and 1.78–1.96× when the threads
// were still spinning from the call before.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "quantlab/threads.h"

namespace quantlab {
namespace {

// Emscripten defines __EMSCRIPTEN_PTHREADS__ when compiling with -pthread.
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
constexpr bool kHasThreads = false;
#else
constexpr bool kHasThreads = true;
#endif

struct Job {
  size_t count = 0;
  size_t span = 0;  // elements per range (a multiple of align)
  size_t ranges = 0;
  RangeBody body = nullptr;
  void* context = nullptr;
  std::vector<std::exception_ptr> errors;  // per range

  void run(size_t range) {
    const size_t begin = range * span;
    try {
      body(context, begin, std::min(count, begin + span));
    } catch (...) {
      errors[range] = std::current_exception();
    }
  }
};

thread_local bool inside_job = false;

// Long enough to bridge the serial work between a model's parallel layers and between
// back-to-back calls; short enough that an idle pool gives its cores back within 2 ms.
constexpr std::chrono::microseconds kSpinBeforeSleep{2000};

// Polls ready() until it holds or kSpinBeforeSleep has passed; the caller then waits on its
// condition variable, which returns at once if ready() holds.
template <typename Ready>
void spin_until(Ready ready) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point until = Clock::now() + kSpinBeforeSleep;
  do {
    // The clock is a call into JavaScript in wasm: poll between reads.
    for (int i = 0; i < 64; ++i) {
      if (ready()) return;
    }
    // With more threads than free cores (a count above the cores, other load), the thread a
    // spinner waits for may need this core.
    std::this_thread::yield();
  } while (Clock::now() < until);
}

class Pool {
 public:
  ~Pool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& thread : threads_) thread.join();
  }

  void set_count(size_t threads) {
    if (!kHasThreads) threads = 1;
    std::lock_guard call(call_mutex_);
    std::lock_guard lock(mutex_);
    count_ = threads == 0 ? default_thread_count() : threads;
  }

  size_t count() {
    std::lock_guard lock(mutex_);
    return count_;
  }

  void run(size_t count, size_t align, RangeBody body, void* context) {
    if (count == 0) return;
    std::unique_lock call(call_mutex_, std::try_to_lock);
    if (inside_job || !call.owns_lock() || count_ == 1) {
      body(context, 0, count);
      return;
    }
    align = std::max<size_t>(align, 1);
    const size_t units = (count + align - 1) / align;
    const size_t ranges = std::min(count_, units);
    const size_t span = (units + ranges - 1) / ranges * align;
    Job job{count, span, (count + span - 1) / span, body, context, {}};
    job.errors.resize(job.ranges);
    if (job.ranges == 1) {
      body(context, 0, count);
      return;
    }
    {
      std::lock_guard lock(mutex_);
      // Started on first use, so a count that is set and never used costs no threads.
      while (threads_.size() + 1 < job.ranges) {
        threads_.emplace_back([this, index = threads_.size()] { work(index + 1); });
      }
      job_ = &job;
      pending_.store(job.ranges - 1);
      generation_.fetch_add(1);
    }
    wake_.notify_all();
    inside_job = true;
    job.run(0);
    inside_job = false;
    const auto all_done = [&] { return pending_.load() == 0; };
    spin_until(all_done);
    {
      std::unique_lock lock(mutex_);
      done_.wait(lock, all_done);
      job_ = nullptr;
    }
    for (const std::exception_ptr& error : job.errors) {
      if (error) std::rethrow_exception(error);
    }
  }

 private:
  // Pool thread `index` (1-based: range 0 is the caller's) runs range `index` of each job.
  void work(size_t index) {
    inside_job = true;
    uint64_t seen = 0;
    for (;;) {
      const auto new_job = [&] { return generation_.load() != seen; };
      spin_until(new_job);
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || new_job(); });
      if (stopping_) return;
      seen = generation_.load();
      // Decided under the mutex: a job this thread has no range in may return, and the next
      // one reuse its address, as soon as the mutex is free.
      Job* job = job_;
      if (job == nullptr || index >= job->ranges) continue;
      lock.unlock();
      job->run(index);
      // The caller tests pending_ under the mutex before it blocks: notifying under the mutex
      // cannot fall between its test and its wait.
      if (pending_.fetch_sub(1) == 1) {
        std::lock_guard relock(mutex_);
        done_.notify_one();
      }
    }
  }

  std::mutex call_mutex_;  // one job at a time; other callers run inline
  std::mutex mutex_;       // guards everything below
  std::condition_variable wake_;
  std::condition_variable done_;
  std::vector<std::thread> threads_;
  size_t count_ = default_thread_count();
  Job* job_ = nullptr;
  // Atomic so that spinning threads can poll them without the mutex; written under it.
  std::atomic<size_t> pending_{0};
  std::atomic<uint64_t> generation_{0};
  bool stopping_ = false;
};

Pool& pool() {
  static Pool instance;
  return instance;
}

}  // namespace

size_t default_thread_count() {
#ifdef __EMSCRIPTEN__
  // The JavaScript side knows the cores (navigator.hardwareConcurrency, os.availableParallelism)
  // and has to size Emscripten's worker pool to match before the engine starts, so it passes
  // the count explicitly.
  return 1;
#else
  return std::max(1u, std::thread::hardware_concurrency());
#endif
}

void set_thread_count(size_t threads) { pool().set_count(threads); }

size_t thread_count() { return pool().count(); }

void run_parallel_ranges(size_t count, size_t align, RangeBody body, void* context) {
  pool().run(count, align, body, context);
}

}  // namespace quantlab
