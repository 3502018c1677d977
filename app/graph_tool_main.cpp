// SPDX-License-Identifier: Apache-2.0
// twinlane-graph: the command-line tool for graph data. This file only dispatches to the
// commands (tool/commands.h) and turns their errors into messages and exit codes: 0 success,
// 1 bad data or I/O failure, 2 bad command line.
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include "tool/commands.h"
#include "tool/tool_support.h"

namespace {

using namespace twinlane::app::tool;

constexpr const char* kMainUsage =
    "usage: twinlane-graph <command> [options]\n"
    "\n"
    "commands:\n"
    "  import --profile car|distance INPUT.osm.pbf OUT   an OpenStreetMap extract as a snapshot\n"
    "  convert GR [CO] OUT                               a DIMACS graph as a snapshot\n"
    "  info FILE [CO]                                    describe a snapshot or DIMACS graph\n"
    "  verify SNAPSHOT                                   check a snapshot in depth\n"
    "  generate [--nodes N] [--seed S] [--format dimacs|snapshot] OUT_PREFIX\n"
    "                                                    write a synthetic road graph\n"
    "\n"
    "`twinlane-graph <command> --help` describes a command.\n";

struct Command {
  std::string_view name;
  int (*run)(const Arguments&);
  const char* const* usage;
};

constexpr Command kCommands[] = {
    {"import", runImport, &kImportUsage},   {"convert", runConvert, &kConvertUsage},
    {"info", runInfo, &kInfoUsage},         {"verify", runVerify, &kVerifyUsage},
    {"generate", runGenerate, &kGenerateUsage},
};

}  // namespace

int main(int argc, char** argv) {
  const Arguments all(argv + 1, argv + argc);
  if (all.empty()) {
    std::cerr << kMainUsage;
    return kExitUsage;
  }
  if (all[0] == "--help" || all[0] == "-h") {
    std::cout << kMainUsage;
    return 0;
  }
  const Arguments rest(all.begin() + 1, all.end());
  const char* usage = kMainUsage;
  try {
    for (const Command& command : kCommands) {
      if (command.name == all[0]) {
        usage = *command.usage;
        return command.run(rest);
      }
    }
    throw UsageError{"unknown command '" + std::string(all[0]) + "'"};
  } catch (const UsageError& error) {
    std::cerr << "twinlane-graph: " << error.message << "\n\n" << usage;
    return kExitUsage;
  } catch (const std::exception& error) {
    // Data errors already read "path: problem" or "path:line: problem".
    std::cerr << "twinlane-graph: " << error.what() << "\n";
    return kExitData;
  }
}
