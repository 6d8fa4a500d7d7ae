// Entry point of the native `quantlab` developer CLI: dispatches to the registered subcommands
// (see command.h for how a command adds itself).
#include <exception>
#include <iostream>
#include <string_view>

#include "command.h"

namespace {

// To stdout when asked for (--help), to stderr after a usage error.
void print_usage(std::ostream& out) {
  out << "usage: quantlab <command> [arguments]\n\ncommands:\n";
  for (const auto& command : quantlab::cli::commands()) {
    out << "  " << command.name << " " << command.usage << "\n      " << command.summary << "\n";
  }
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
      return command.run(std::vector<std::string>(argv + 2, argv + argc));
    } catch (const std::exception& error) {
      std::cerr << "quantlab " << command.name << ": error: " << error.what() << "\n";
      return 1;
    }
  }
  std::cerr << "quantlab: unknown command '" << argv[1] << "'\n\n";
  print_usage(std::cerr);
  return 2;
}
