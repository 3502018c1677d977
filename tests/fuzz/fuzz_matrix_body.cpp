// SPDX-License-Identifier: Apache-2.0
// The JSON body of POST /api/v1/matrix: sources and targets as node ids or [lon, lat] pairs,
// the metric, unknown keys, and everything a JSON parser can be given.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  twinlane::fuzz::ApiCall call;
  call.method = "POST";
  call.path = "/api/v1/matrix";
  call.body.assign(reinterpret_cast<const char*>(data), size);
  twinlane::fuzz::ApiHarness::generated().serveAndCheck(call);
  return 0;
}
