#include "command.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "quantlab/error.h"
#include "quantlab/io.h"

namespace quantlab::cli {

namespace {

// A function-local table: registration runs during static initialisation of other files.
std::vector<Command>& table() {
  static std::vector<Command> commands;
  return commands;
}

}  // namespace

bool register_command(const Command& command) {
  auto& commands = table();
  commands.push_back(command);
  std::ranges::sort(commands, [](const Command& a, const Command& b) {
    return std::string_view(a.name) < std::string_view(b.name);
  });
  return true;
}

const std::vector<Command>& commands() { return table(); }

std::string Arguments::option(const std::string& name, const std::string& fallback) const {
  for (const auto& [key, value] : options) {
    if (key == name) return value;
  }
  return fallback;
}

void write_output(const std::string& text, const std::string& out, const std::string& command) {
  if (out.empty()) {
    std::fputs(text.c_str(), stdout);
  } else {
    write_file_bytes(out, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
    std::cerr << "quantlab " << command << ": wrote " << out << "\n";
  }
}

Arguments parse_arguments(const std::vector<std::string>& args,
                          const std::vector<std::string>& known) {
  Arguments parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i].starts_with("--")) {
      parsed.positional.push_back(args[i]);
      continue;
    }
    const std::string name = args[i].substr(2);
    require(std::ranges::find(known, name) != known.end(), "unknown option " + args[i]);
    require(i + 1 < args.size(), "option " + args[i] + " needs a value");
    parsed.options.emplace_back(name, args[++i]);
  }
  return parsed;
}

}  // namespace quantlab::cli
