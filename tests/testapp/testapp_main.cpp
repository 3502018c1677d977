// SPDX-License-Identifier: Apache-2.0
// twinlane-testapp: the pool serving a test service with switchable behaviours instead of the
// graph, so the process manager can be tested on what it does (respawn, deadlines, recycling,
// reload, priorities) without waiting for real computations. Routes:
//   fast: GET /api/v1/test/pid              {"pid":N,"generation":G}
//   slow: GET /api/v1/test/sleep?ms=N       sleeps N ms in 5 ms steps, checking the deadline
//         GET /api/v1/test/burn?ms=N        burns CPU for N ms, checking the deadline
//         GET /api/v1/test/spin             loops forever, never checking: a stuck handler
//         GET /api/v1/test/crash            aborts the worker
//         GET /api/v1/test/grow?mib=N       allocates and touches N MiB it never frees
//         GET /api/v1/test/big?kib=N        answers N KiB of text (for peers that read slowly)
// Its own config section:
//   testapp: { data: FILE }   a file it "loads" (checked readable, so --check-config and a
//                             reload have something to refuse)
// TWINLANE_TESTAPP_FAIL=load makes loading fail (the master must not start); =thread makes
// every worker fail before it is ready (the master must back off, not fork-loop).
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "fcgi/http_error.h"
#include "fcgi/query.h"
#include "pool/serve.h"

namespace twinlane::testapp {
namespace {

std::string failMode() {
  const char* mode = std::getenv("TWINLANE_TESTAPP_FAIL");
  return mode ? mode : "";
}

std::vector<pool::ServiceRoute> testRoutes() {
  using pool::Lane;
  return {{{"pid", "/api/v1/test/pid", false, {"GET"}}, Lane::kFast},
          {{"sleep", "/api/v1/test/sleep", false, {"GET"}}, Lane::kSlow},
          {{"burn", "/api/v1/test/burn", false, {"GET"}}, Lane::kSlow},
          {{"spin", "/api/v1/test/spin", false, {"GET"}}, Lane::kSlow},
          {{"crash", "/api/v1/test/crash", false, {"GET"}}, Lane::kSlow},
          {{"grow", "/api/v1/test/grow", false, {"GET"}}, Lane::kSlow},
          {{"big", "/api/v1/test/big", false, {"GET"}}, Lane::kSlow}};
}

}  // namespace

// Not static and not inlined, so the stack dump of a stuck worker names it.
[[gnu::noinline]] void spinForever() {
  volatile std::uint64_t counter = 0;
  while (true) counter = counter + 1;
}

namespace {

class TestThread : public fcgi::ServiceThread {
 public:
  void handle(const fcgi::RouteMatch& match, fcgi::Request& request, fcgi::Response& response) override {
    const auto query = fcgi::QueryParameters::parse(request.queryString());
    const std::string& route = match.route->name;
    auto body = fcgi::orderedObject();
    body->set("pid", static_cast<int>(::getpid()));
    if (route == "sleep" || route == "burn") {
      query.acceptOnly({"ms"});
      const auto ms = query.requireInteger("ms", 0, 600000);
      const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
      while (std::chrono::steady_clock::now() < until) {
        if (route == "sleep") {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        } else {
          burn(std::chrono::milliseconds(5));
        }
        request.checkpoint();
      }
      body->set("ms", ms);
    } else if (route == "spin") {
      spinForever();
    } else if (route == "crash") {
      std::abort();
    } else if (route == "grow") {
      query.acceptOnly({"mib"});
      const auto mib = query.requireInteger("mib", 1, 1024);
      auto& block = kept_.emplace_back(mib << 20);
      std::memset(block.data(), 1, block.size());  // touched, so the pages are really ours
      body->set("kept_mib", static_cast<Poco::UInt64>(keptMib()));
    } else if (route == "big") {
      query.acceptOnly({"kib"});
      const auto kib = query.requireInteger("kib", 1, 65536);
      response.setBody("text/plain", std::string(kib << 10, 'b'));
      return;
    }
    response.setJson(*body);
  }

 private:
  static void burn(std::chrono::milliseconds how_long) {
    const auto until = std::chrono::steady_clock::now() + how_long;
    volatile std::uint64_t x = 0;
    while (std::chrono::steady_clock::now() < until) {
      for (int i = 0; i < 1000; ++i) x = x * 31 + 7;
    }
  }
  std::size_t keptMib() const {
    std::size_t total = 0;
    for (const auto& block : kept_) total += block.size() >> 20;
    return total;
  }
  std::vector<std::vector<char>> kept_;
};

class TestService : public fcgi::Service {
 public:
  std::unique_ptr<fcgi::ServiceThread> newThread() const override {
    if (failMode() == "thread") throw std::runtime_error("TWINLANE_TESTAPP_FAIL=thread: refusing to start");
    return std::make_unique<TestThread>();
  }
  Poco::JSON::Object::Ptr summary() const override {
    auto summary = fcgi::orderedObject();
    summary->set("service", "testapp");
    return summary;
  }
};

class TestConfig : public pool::ServiceConfig {
 public:
  TestConfig(std::string data, pool::ConfigSection section) : data_(std::move(data)), section_(section) {}

  void check() const override {
    if (data_.empty() || ::access(data_.c_str(), R_OK) == 0) return;
    const std::string reason = std::strerror(errno);
    throw section_.error("data", "cannot read " + data_ + ": " + reason);
  }

  std::unique_ptr<fcgi::Service> load() const override {
    if (failMode() == "load") throw std::runtime_error("TWINLANE_TESTAPP_FAIL=load: cannot load");
    return std::make_unique<TestService>();
  }

 private:
  std::string data_;
  pool::ConfigSection section_;
};

std::unique_ptr<pool::ServiceConfig> readTestConfig(pool::ConfigSection& top) {
  pool::ConfigSection section = top.section("testapp");
  return std::make_unique<TestConfig>(section.string("data"), section);
}

}  // namespace
}  // namespace twinlane::testapp

int main(int argc, char** argv) {
  return twinlane::pool::serve(argc, argv,
                               {"twinlane-testapp", "/api/v1/test/", twinlane::testapp::testRoutes(),
                                twinlane::testapp::readTestConfig});
}
