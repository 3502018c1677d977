// SPDX-License-Identifier: Apache-2.0
// A gtest fixture sharing one stack per test suite, for suites that only send requests and
// never change the pool (API shapes and errors). Small limits so they are reachable.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "integration_stack.h"

namespace twinlane::test {

class ApiStack : public ::testing::Test {
 protected:
  static constexpr const char* kMaxBody = "4KiB";
  static constexpr std::size_t kMaxBodyBytes = 4096;
  static constexpr int kMatrixMaxCells = 100;

  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  static const TwinlaneStack& stack() { return *stack_; }
  static long nodes() { return nodes_; }
  static HttpResult get(const std::string& path) { return stack_->get(path); }
  static HttpResult post(const std::string& path, const std::string& body,
                         const std::string& content_type = "application/json") {
    return stack_->post(path, body, content_type);
  }
  static HttpResult request(const std::string& method, const std::string& path, const std::string& body = {},
                            const std::string& content_type = {}) {
    return stack_->client().request(method, stack_->port(), path, body, content_type);
  }

 private:
  static std::unique_ptr<TwinlaneStack> stack_;
  static long nodes_;
  static std::string startup_error_;
};

}  // namespace twinlane::test
