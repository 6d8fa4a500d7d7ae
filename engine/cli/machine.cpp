#include "machine.h"

#include <fstream>
#include <thread>

#include "quantlab/threads.h"

namespace quantlab::cli {

std::string cpu_description() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string model = "unknown CPU";
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.starts_with("model name")) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos && colon + 2 <= line.size()) model = line.substr(colon + 2);
      break;
    }
  }
  return model + " (" + std::to_string(std::thread::hardware_concurrency()) + " logical cores)";
}

std::string native_machine() {
  const size_t threads = thread_count();
  return "native build (g++ -O3, SIMD kernels through SIMDe), " + std::to_string(threads) +
         (threads == 1 ? " thread" : " threads") + ", on " + cpu_description();
}

}  // namespace quantlab::cli
