// SPDX-License-Identifier: Apache-2.0
// The snapshot reader: the header, the section table (offsets, lengths, element sizes, overlaps,
// alignment), the structural checks of each section, and then what a snapshot it accepts does
// to the service: every route is asked about it. A snapshot that passes the reader must be safe
// to search; one that does not must be a GraphFormatError naming the file.
//
// The fuzz build accepts any checksum (snapshot_reader.cpp, FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION),
// so that mutations reach the checks behind it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sys/mman.h>
#include <unistd.h>

#include "api_harness.h"
#include "finding.h"
#include "dimacs.h"
#include "graph_file.h"
#include "mapped_file.h"
#include "snapshot_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool quiet = (twinlane::fuzz::quietLogging(), true);
  (void)quiet;
  const int fd = twinlane::app::MappedFile::createSealableMemfd("fuzz.snapshot");
  for (std::size_t written = 0; written < size;) {
    const ssize_t n = ::write(fd, data + written, size - written);
    if (n <= 0) std::abort();
    written += static_cast<std::size_t>(n);
  }
  std::optional<twinlane::app::LoadedGraph> loaded;
  if (twinlane::fuzz::refusalOf<twinlane::app::GraphFormatError>("a snapshot", [&] {
        auto file = twinlane::app::MappedFile::sealMemfd(fd, "fuzz.snapshot");
        loaded.emplace(twinlane::app::loadedFromSnapshot(twinlane::app::viewSnapshot(std::move(file), "fuzz.snapshot")));
      })) {
    return 0;
  }
  if (loaded->graph.nodeCount() == 0) return 0;
  twinlane::fuzz::ApiHarness(twinlane::app::GraphService::fromLoaded(std::move(*loaded), 16),
                             twinlane::fuzz::ApiHarness::Data::kDamagedHierarchyIs500)
      .askEveryRoute();
  return 0;
}
