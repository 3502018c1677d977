// SPDX-License-Identifier: Apache-2.0
// Shared helpers of the integration tests: see integration_stack.h.
#include "integration_stack.h"

#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace twinlane::test {

StackOptions integrationOptions() {
  StackOptions options;
  options.binary = TWINLANE_BIN;
  // A contraction hierarchy makes routes and matrices cheap, and the pool's tests need requests
  // that keep a slow worker busy (and starts that do not contract a graph in a sanitizer
  // build); the API's tests (ApiStack) turn it on.
  options.hierarchy = "off";
  return options;
}

long graphNodeCount(const TwinlaneStack& stack) {
  const auto graph = stack.get("/api/v1/graph");
  if (graph.status != 200) throw std::runtime_error("cannot read the graph's size: " + graph.describe());
  return graph.json()->getValue<long>("nodes");
}

std::string MatrixRequest::body() const {
  const auto list = [](const std::vector<long>& ids) {
    std::string text = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (i > 0) text += ',';
      text += std::to_string(ids[i]);
    }
    text += ']';
    return text;
  };
  return "{\"sources\":" + list(sources) + ",\"targets\":" + list(targets) + "}";
}

MatrixRequest spreadMatrix(long nodes, std::size_t sources, std::size_t targets) {
  MatrixRequest request;
  const std::size_t total = sources + targets;
  const auto idAt = [&](std::size_t i) {
    return 1 + static_cast<long>((static_cast<double>(i) + 0.5) * static_cast<double>(nodes) / static_cast<double>(total));
  };
  for (std::size_t i = 0; i < total; ++i) {
    const bool to_sources = (i % 2 == 0 && request.sources.size() < sources) || request.targets.size() >= targets;
    (to_sources ? request.sources : request.targets).push_back(std::min(idAt(i), nodes));
  }
  return request;
}

MatrixCalibration calibrateMatrix(const TwinlaneStack& stack, long nodes, std::chrono::milliseconds target,
                                  std::size_t max_cells, int repeats) {
  constexpr int kMaxRounds = 12;
  const auto max_side = static_cast<std::size_t>(std::sqrt(static_cast<double>(max_cells)));
  std::size_t side = 2;
  MatrixCalibration calibration;
  for (int round = 0; round < kMaxRounds; ++round) {
    calibration.request = spreadMatrix(nodes, side, side);
    const auto result = stack.post("/api/v1/matrix", calibration.request.body());
    if (result.status != 200) throw std::runtime_error("matrix calibration failed: " + result.describe());
    calibration.single = result.elapsed();
    if (calibration.single >= target || side >= max_side) break;
    // Aim 30% past the target: the cost grows roughly with the number of sources.
    const double factor = 1.3 * static_cast<double>(target.count()) / std::max<double>(1.0, static_cast<double>(calibration.single.count()));
    side = std::min(max_side, std::max(side + 1, std::min(side * 4, static_cast<std::size_t>(static_cast<double>(side) * factor))));
  }
  if (repeats > 1) {
    std::vector<std::chrono::milliseconds> times{calibration.single};
    for (int i = 1; i < repeats; ++i) {
      const auto result = stack.post("/api/v1/matrix", calibration.request.body());
      if (result.status != 200) throw std::runtime_error("matrix timing failed: " + result.describe());
      times.push_back(result.elapsed());
    }
    std::sort(times.begin(), times.end());
    calibration.single = times[times.size() / 2];
  }
  return calibration;
}

std::string toString(const Poco::JSON::Object::Ptr& object) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(object, out);
  return out.str();
}

::testing::AssertionResult isJsonOk(const HttpResult& result) {
  if (result.status != 200) return ::testing::AssertionFailure() << "expected 200: " << result.describe();
  if (!result.content_type.starts_with("application/json")) {
    return ::testing::AssertionFailure() << "expected application/json: " << result.describe();
  }
  try {
    (void)result.json();
  } catch (const std::exception& error) {
    return ::testing::AssertionFailure() << error.what();
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult isApiError(const HttpResult& result, int status, const std::string& code,
                                      const std::string& mentioned) {
  if (result.status != status) {
    return ::testing::AssertionFailure() << "expected " << status << " " << code << ": " << result.describe();
  }
  if (!result.content_type.starts_with("application/json")) {
    return ::testing::AssertionFailure() << "expected application/json: " << result.describe();
  }
  try {
    const auto error = result.json()->getObject("error");
    if (!error) return ::testing::AssertionFailure() << "no \"error\" object: " << result.describe();
    const auto got = error->has("code") ? error->getValue<std::string>("code") : std::string();
    if (got.empty() || (!code.empty() && got != code)) {
      return ::testing::AssertionFailure() << "expected code " << code << ": " << result.describe();
    }
    const auto message = error->has("message") ? error->getValue<std::string>("message") : std::string();
    if (message.empty()) return ::testing::AssertionFailure() << "empty error.message: " << result.describe();
    if (!mentioned.empty() && message.find(mentioned) == std::string::npos) {
      return ::testing::AssertionFailure() << "error.message does not name \"" << mentioned << "\": " << result.describe();
    }
  } catch (const std::exception& error) {
    return ::testing::AssertionFailure() << error.what();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace twinlane::test
