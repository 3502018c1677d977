// SPDX-License-Identifier: Apache-2.0
// The query string of every GET route: percent-decoding, repeated and unknown names, node ids,
// coordinates (`lon,lat`), `bbox`, `geometry`. The first byte picks the route, the rest is the
// query string as nginx passes it (QUERY_STRING, still encoded).
#include <cstddef>
#include <cstdint>
#include <string>

#include "api_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const char* const kPaths[] = {"/api/v1/route", "/api/v1/nearest", "/api/v1/segments", "/api/v1/nodes/1",
                                       "/api/v1/graph", "/api/v1/health"};
  if (size == 0) return 0;
  twinlane::fuzz::ApiCall call;
  call.path = kPaths[data[0] % (sizeof(kPaths) / sizeof(kPaths[0]))];
  call.query.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  twinlane::fuzz::ApiHarness::generated().serveAndCheck(call);
  return 0;
}
