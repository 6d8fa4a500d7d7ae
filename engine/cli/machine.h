// The machine a report ran on, for its "machine" field: the CPU model and core count as the
// operating system names them (Linux: /proc/cpuinfo), or "unknown CPU".
#pragma once

#include <string>

namespace quantlab::cli {

std::string cpu_description();

}  // namespace quantlab::cli
