// The native `quantlab` CLI is a table of subcommands. Each engine/cli/<command>.cpp defines
// its command and registers it at static-initialisation time:
//
//   namespace { const bool registered = quantlab::cli::register_command(
//       {"train", "<recipe.json> [--out DIR] [--data DIR]", "train a model from a recipe", run}); }
//
// main.cpp looks the first argument up in that table; nothing else needs editing to add one.
#pragma once

#include <string>
#include <vector>

namespace quantlab::cli {

// Receives the arguments after the command name; returns the process exit code. Engine errors
// propagate as exceptions and main prints their message.
using CommandMain = int (*)(const std::vector<std::string>& args);

struct Command {
  const char* name;
  const char* usage;    // arguments, e.g. "<model dir> [--data DIR]"
  const char* summary;  // one line
  CommandMain run;
};

bool register_command(const Command& command);
// Sorted by name.
const std::vector<Command>& commands();

// Options of the form `--name value` after the positional arguments.
struct Arguments {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;
  // Value of --name, or fallback; throws InvalidArgument for an option not in `known`.
  std::string option(const std::string& name, const std::string& fallback) const;
};
// Writes a command's output: to stdout, or to the file `out` (not empty) with a line on stderr
// ("quantlab <command>: wrote FILE").
void write_output(const std::string& text, const std::string& out, const std::string& command);

// Splits args; every --name must be followed by a value and be one of `known`.
Arguments parse_arguments(const std::vector<std::string>& args,
                          const std::vector<std::string>& known);

}  // namespace quantlab::cli
