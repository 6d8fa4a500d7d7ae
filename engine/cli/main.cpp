// Entry point of the native `quantlab` developer CLI: dispatches to the registered subcommands
// (see command.h for how a command adds itself).
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "command.h"
#include "quantlab/error.h"
#include "quantlab/threads.h"

namespace {

// To stdout when asked for (--help), to stderr after a usage error.
void print_usage(std::ostream& out) {
  out << "usage: quantlab <command> [arguments] [--threads N]\n\ncommands:\n";
  for (const auto& command : quantlab::cli::commands()) {
    out << "  " << command.name << " " << command.usage << "\n      " << command.summary << "\n";
  }
  out << "\n--threads N (any command): threads the kernels use; default: the machine's ("
      << quantlab::default_thread_count() << ")\n";
}

// Applies and removes `--threads N`, an option of every command (results do not depend on it).
std::vector<std::string> apply_threads_option(std::vector<std::string> args) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] != "--threads") continue;
    const std::string value = i + 1 < args.size() ? args[i + 1] : "";
    const bool digits = !value.empty() && value.size() <= 4 &&
                        value.find_first_not_of("0123456789") == std::string::npos;
    quantlab::require(digits && std::stoul(value) >= 1,
                      "--threads must be a whole number from 1 to 9999, got '" + value + "'");
    quantlab::set_thread_count(std::stoul(value));
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(i),
               args.begin() + static_cast<std::ptrdiff_t>(i + 2));
    break;
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "help") {
    print_usage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  for (const auto& command : quantlab::cli::commands()) {
    if (std::string_view(argv[1]) != command.name) continue;
    try {
      return command.run(apply_threads_option(std::vector<std::string>(argv + 2, argv + argc)));
    } catch (const std::exception& error) {
      std::cerr << "quantlab " << command.name << ": error: " << error.what() << "\n";
      return 1;
    }
  }
  std::cerr << "quantlab: unknown command '" << argv[1] << "'\n\n";
  print_usage(std::cerr);
  return 2;
}
