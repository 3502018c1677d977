// SPDX-License-Identifier: Apache-2.0
// What the integration tests share: the stack options pointing at the built binaries, the
// graph's size, matrix requests of a calibrated cost, and the JSON error shape of the API.
// Owns no process; every test owns its TwinlaneStack.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "http_client.h"
#include "twinlane_harness.h"

namespace twinlane::test {

// Defaults for a stack running the twinlane binary this build made (TWINLANE_BIN).
StackOptions integrationOptions();

// GET /api/v1/graph -> "nodes"; fails the test (throws) if the answer is not 200 with a count.
long graphNodeCount(const TwinlaneStack& stack);

struct MatrixRequest {
  std::vector<long> sources;
  std::vector<long> targets;

  std::string body() const;
  std::size_t cells() const { return sources.size() * targets.size(); }
};

// `sources` x `targets` node ids spread evenly over 1..nodes (sources and targets interleaved,
// so searches cross the graph).
MatrixRequest spreadMatrix(long nodes, std::size_t sources, std::size_t targets);

struct MatrixCalibration {
  MatrixRequest request;
  std::chrono::milliseconds single{0};  // how long one such request took, alone
};

// Grows a square matrix until one request takes at least `target` or reaches `max_cells`
// (at most 12 rounds). Each round is one POST /api/v1/matrix that must answer 200. With
// `repeats` > 1 the chosen size is timed that many more times and `single` is the median.
MatrixCalibration calibrateMatrix(const TwinlaneStack& stack, long nodes, std::chrono::milliseconds target,
                                  std::size_t max_cells, int repeats = 1);

inline const std::string kAnyCode;  // for isApiError: any non-empty code

// The API's error shape: `status`, a JSON content type, {"error":{"code":code,"message":...}}
// with a non-empty message that mentions `mentioned` (the offending parameter) when given.
::testing::AssertionResult isApiError(const HttpResult& result, int status, const std::string& code,
                                      const std::string& mentioned = {});

// 200 with an application/json body holding a JSON object.
::testing::AssertionResult isJsonOk(const HttpResult& result);

std::string toString(const Poco::JSON::Object::Ptr& object);

}  // namespace twinlane::test
