// SPDX-License-Identifier: Apache-2.0
// The DIMACS .gr reader (plain or gzip), and whatever a graph it accepts does to the rest of the
// load: the contraction hierarchy built at load and the searches every route runs on it. A bad
// file must be a GraphFormatError ("PATH:LINE: problem"); a graph it accepts must be served.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "api_harness.h"
#include "finding.h"
#include "dimacs.h"
#include "memory_file.h"

namespace {
// A graph this small builds its hierarchy in milliseconds; larger ones are only read.
constexpr twinlane::app::NodeId kLargestServed = 2000;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool quiet = (twinlane::fuzz::quietLogging(), true);
  (void)quiet;
  const twinlane::fuzz::MemoryFile gr("fuzz.gr", data, size);
  std::optional<twinlane::app::Graph> graph;
  if (twinlane::fuzz::refusalOf<twinlane::app::GraphFormatError>(
          "a .gr file", [&] { graph.emplace(twinlane::app::readDimacs(gr.path())); })) {
    return 0;
  }
  if (graph->nodeCount() == 0 || graph->nodeCount() > kLargestServed) return 0;
  twinlane::fuzz::ApiHarness(twinlane::app::GraphService::fromGraph(std::move(*graph), 16)).askEveryRoute();
  return 0;
}
