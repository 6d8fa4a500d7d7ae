// Embind surface of the thread pool (quantlab/threads.h). The loader calls initThreads once
// with the count it sized Emscripten's worker pool for; setThreadCount may then lower or raise
// the count up to that, never past it: a pthread beyond the pool would wait for a Worker that
// only the event loop of this (blocked) thread can start.
#include "quantlab/threads.h"

#include <emscripten/bind.h>

#include <string>

#include "guard.h"
#include "quantlab/error.h"

namespace quantlab::bindings {
namespace {

size_t thread_limit = 1;

void init_threads(size_t threads) {
  require(threads >= 1, "threads must be at least 1");
  thread_limit = threads;
  set_thread_count(threads);
}

void set_thread_count_js(size_t threads) {
  require(threads >= 1 && threads <= thread_limit, [&] {
    return "threads must be from 1 to " + std::to_string(thread_limit) +
           " (the threads this engine was loaded with), got " + std::to_string(threads);
  });
  set_thread_count(threads);
}

}  // namespace

EMSCRIPTEN_BINDINGS(quantlab_threads) {
  emscripten::function("initThreads", guarded<&init_threads>);
  emscripten::function("setThreadCount", guarded<&set_thread_count_js>);
  emscripten::function("threadCount", &thread_count);
}

}  // namespace quantlab::bindings
