// SPDX-License-Identifier: Apache-2.0
// The commands of twinlane-graph, each with its usage text. Each takes the arguments after its
// name, returns the exit code, and throws UsageError or a data error with context.
#pragma once

#include <string_view>
#include <vector>

namespace twinlane::app::tool {

using Arguments = std::vector<std::string_view>;

extern const char* const kGenerateUsage;
extern const char* const kInfoUsage;
extern const char* const kVerifyUsage;
extern const char* const kConvertUsage;
extern const char* const kImportUsage;

int runGenerate(const Arguments& arguments);  // generate_command.cpp
int runInfo(const Arguments& arguments);      // info_command.cpp
int runVerify(const Arguments& arguments);    // info_command.cpp
int runConvert(const Arguments& arguments);   // snapshot_commands.cpp
int runImport(const Arguments& arguments);    // snapshot_commands.cpp

}  // namespace twinlane::app::tool
