// SPDX-License-Identifier: Apache-2.0
// StackOptions for twinlane-testapp (tests/testapp): the pool serving switchable test
// behaviours instead of the graph. Fast lane: pid, status, metrics; slow lane: sleep, burn,
// spin, crash, grow. Owns nothing.
#pragma once

#include <filesystem>

#include "twinlane_harness.h"

namespace twinlane::test {

inline StackOptions testappOptions(const std::filesystem::path& testapp_binary) {
  StackOptions options;
  options.binary = testapp_binary;
  options.fast_routes = {"pid", "status", "metrics"};
  options.slow_routes = {"sleep", "burn", "spin", "crash", "grow"};
  options.ready_deadline = std::chrono::seconds{30};
  return options;
}

}  // namespace twinlane::test
