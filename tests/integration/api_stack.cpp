// SPDX-License-Identifier: Apache-2.0
// ApiStack: one TwinlaneStack per suite; see api_stack.h.
#include "api_stack.h"

#include <filesystem>

namespace twinlane::test {

std::unique_ptr<TwinlaneStack> ApiStack::stack_;
long ApiStack::nodes_ = 0;
std::string ApiStack::startup_error_;

void ApiStack::SetUpTestSuite() {
  auto options = integrationOptions();
  options.fast_processes = 1;
  options.fast_threads = 2;
  options.slow_processes = 1;
  options.max_body = kMaxBody;
  options.matrix_max_cells = kMatrixMaxCells;
  options.hierarchy = "auto";  // what a user gets: routes and matrices on the hierarchy
  // As systemd's CacheDirectory= does for the service: the default graph and its hierarchy are
  // made once (15 s in a sanitizer build) and mapped by every later start. ctest runs each test
  // in a process of its own, so without it every API test contracted the graph again.
  std::filesystem::create_directories(TWINLANE_TEST_CACHE_DIR);
  options.env["CACHE_DIRECTORY"] = TWINLANE_TEST_CACHE_DIR;
  try {
    stack_ = std::make_unique<TwinlaneStack>(options);
    nodes_ = graphNodeCount(*stack_);
  } catch (const std::exception& error) {
    startup_error_ = error.what();
  }
}

void ApiStack::TearDownTestSuite() {
  stack_.reset();
  startup_error_.clear();
}

void ApiStack::SetUp() {
  if (!stack_ || nodes_ == 0) GTEST_FAIL() << "the suite's twinlane stack did not start: " << startup_error_;
}

}  // namespace twinlane::test
