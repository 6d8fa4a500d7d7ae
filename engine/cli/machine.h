// The machine a report ran on, for its "machine" field: the CPU model and core count as the
// operating system names them (Linux: /proc/cpuinfo), or "unknown CPU".
#pragma once

#include <string>

namespace quantlab::cli {

std::string cpu_description();

// "native build (…), N threads, on <cpu_description()>": the threads are the pool's
// (quantlab/threads.h, --threads), which splits large matrix products and convolutions.
std::string native_machine();

}  // namespace quantlab::cli
