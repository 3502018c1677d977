// SPDX-License-Identifier: Apache-2.0
// The OpenStreetMap importer (libosmium's XML and PBF readers, then the road rules, the node
// numbering and the component pruning) on small files. The first byte picks the format (its
// low bit: XML or PBF, as libosmium tells them by the file name) and the profile (next bit);
// the rest is the file. A bad file must be a GraphFormatError naming it.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "dimacs.h"
#include "finding.h"
#include "osm_import.h"

namespace {

// libosmium chooses its reader by the file name, so the input goes to a real file with the
// right suffix: one per process and format, removed at exit.
std::string inputFile(bool pbf) {
  static const std::string stem = [] {
    const char* tmp = std::getenv("TMPDIR");
    return std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/twinlane-fuzz-osm-" + std::to_string(::getpid());
  }();
  static const bool cleanup = (std::atexit([] {
                                 std::remove((stem + ".osm").c_str());
                                 std::remove((stem + ".osm.pbf").c_str());
                               }),
                               true);
  (void)cleanup;
  return stem + (pbf ? ".osm.pbf" : ".osm");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool pbf = (data[0] & 1) != 0;
  const auto profile = (data[0] & 2) != 0 ? twinlane::app::OsmProfile::kDistance : twinlane::app::OsmProfile::kCar;
  const std::string path = inputFile(pbf);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
    if (!out) std::abort();
  }
  const auto refusal = twinlane::fuzz::refusalOf<twinlane::app::GraphFormatError>(
      "an OSM file", [&] { (void)twinlane::app::importOsm(path, profile, nullptr); });
  if (refusal && !refusal->starts_with(path)) twinlane::fuzz::finding("an OSM error that does not name the file: " + *refusal);
  return 0;
}
