// SPDX-License-Identifier: Apache-2.0
// The DIMACS .co reader (plain or gzip) next to a fixed 4-node .gr, and what the coordinates it
// accepts do to the coordinate routes (nearest node, snapping, geometry, segments).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "api_harness.h"
#include "finding.h"
#include "dimacs.h"
#include "memory_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool quiet = (twinlane::fuzz::quietLogging(), true);
  (void)quiet;
  static const char kGraph[] = "p sp 4 5\na 1 2 5\na 2 3 7\na 1 3 20\na 3 1 1\na 4 1 3\n";
  const twinlane::fuzz::MemoryFile gr("fuzz.gr", reinterpret_cast<const std::uint8_t*>(kGraph), std::strlen(kGraph));
  const twinlane::fuzz::MemoryFile co("fuzz.co", data, size);
  std::optional<twinlane::app::Graph> graph;
  if (twinlane::fuzz::refusalOf<twinlane::app::GraphFormatError>(
          "a .co file", [&] { graph.emplace(twinlane::app::readDimacs(gr.path(), co.path())); })) {
    return 0;
  }
  twinlane::fuzz::ApiHarness(twinlane::app::GraphService::fromGraph(std::move(*graph), 16)).askEveryRoute();
  return 0;
}
