// SPDX-License-Identifier: Apache-2.0
// The path of a request, as nginx passes it decoded (DOCUMENT_URI): the router's exact and
// prefix routes, and the path parameter of /api/v1/nodes/{id}. The input is the whole path.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  twinlane::fuzz::ApiCall call;
  call.path.assign(reinterpret_cast<const char*>(data), size);
  twinlane::fuzz::ApiHarness::generated().serveAndCheck(call);
  return 0;
}
