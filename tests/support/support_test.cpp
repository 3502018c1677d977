// SPDX-License-Identifier: Apache-2.0
// Specifications of the test support code itself, runnable before any twinlane binary exists:
// waitFor, TempDir, ChildProcess, HttpClient against Debian's nginx under NginxServer.
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "child_process.h"
#include "http_client.h"
#include "nginx_harness.h"
#include "pool_status.h"
#include "temp_dir.h"
#include "wait_for.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;

TEST(WaitFor, ReturnsTrueAtOnceWhenThePredicateAlreadyHolds) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(waitFor([] { return true; }, 5s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 100ms);
}

TEST(WaitFor, ReturnsFalseOnceTheDeadlineHasPassed) {
  int calls = 0;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(waitFor([&] { return ++calls < 0; }, 100ms));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 100ms);
  EXPECT_LT(elapsed, 1s);
  EXPECT_GT(calls, 2);
}

TEST(WaitFor, SeesAConditionThatBecomesTrueOnAnotherThread) {
  std::atomic<bool> flag{false};
  std::thread setter([&] {
    waitFor([] { return false; }, 50ms);
    flag = true;
  });
  EXPECT_TRUE(waitFor([&] { return flag.load(); }, 5s));
  setter.join();
}

TEST(TempDir, IsAPrivateDirectoryUnderTmpRemovedWithEverythingInIt) {
  std::filesystem::path kept;
  {
    TempDir dir("twinlane-selftest");
    kept = dir.path();
    EXPECT_EQ(kept.parent_path(), "/tmp");
    EXPECT_TRUE(std::filesystem::is_directory(kept));
    std::filesystem::create_directories(dir.file("a/b"));
    dir.write("a/b/c.txt", "content");
    EXPECT_EQ(readFile(dir.file("a/b/c.txt")), "content");
  }
  if (std::getenv("TWINLANE_KEEP_TMP") == nullptr) {
    EXPECT_FALSE(std::filesystem::exists(kept));
  }
}

TEST(ChildProcess, ReportsTheExitCode) {
  TempDir dir("twinlane-selftest");
  ChildProcess child({{"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, {}, dir.file("out"), dir.file("err")});
  const auto status = child.waitExit(10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->exited);
  EXPECT_EQ(status->code, 3);
  EXPECT_EQ(status->describe(), "exit 3");
  EXPECT_EQ(child.readStdout(), "out\n");
  EXPECT_EQ(child.readStderr(), "err\n");
  EXPECT_FALSE(child.running());
}

TEST(ChildProcess, ReportsTheSignalThatKilledIt) {
  TempDir dir("twinlane-selftest");
  ChildProcess child({{"/bin/sleep", "1000"}, {}, dir.file("log"), {}});
  EXPECT_TRUE(child.running());
  EXPECT_FALSE(child.waitExit(50ms).has_value());
  EXPECT_TRUE(child.signal(SIGKILL));
  const auto status = child.waitExit(10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_FALSE(status->exited);
  EXPECT_EQ(status->signal, SIGKILL);
  EXPECT_EQ(status->describe(), "killed by SIGKILL");
  EXPECT_FALSE(child.signal(SIGTERM)) << "a reaped child must not be signalled: its pid may be reused";
}

TEST(ChildProcess, PassesAddedEnvironmentAndCapturesBothStreamsInOneLog) {
  TempDir dir("twinlane-selftest");
  ChildProcess child({{"/bin/sh", "-c", "echo \"$TWINLANE_SELFTEST\"; echo second >&2"},
                      {{"TWINLANE_SELFTEST", "hello"}},
                      dir.file("log"),
                      {}});
  ASSERT_TRUE(child.waitExit(10s).has_value());
  EXPECT_EQ(child.readLog(), "hello\nsecond\n");
}

TEST(ChildProcess, ThrowsNamingTheCommandWhenExecFails) {
  TempDir dir("twinlane-selftest");
  try {
    ChildProcess child({{"/nonexistent/twinlane", "--config", "x"}, {}, dir.file("log"), {}});
    FAIL() << "exec of a missing file did not throw";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent/twinlane"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("No such file"), std::string::npos) << error.what();
  }
}

TEST(ChildProcess, DestructorStopsAndReapsARunningChild) {
  TempDir dir("twinlane-selftest");
  pid_t pid = 0;
  {
    ChildProcess child({{"/bin/sleep", "1000"}, {}, dir.file("log"), {}});
    pid = child.pid();
  }
  EXPECT_TRUE(processGone(pid));
  errno = 0;
  EXPECT_EQ(::kill(pid, 0), -1) << "pid " << pid << " still exists (a zombie?)";
}

// The supervision tests check that the master reaps its workers: a zombie must not count as gone.
TEST(ProcessGone, AZombieHasEndedButIsNotGoneUntilReaped) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) ::_exit(0);
  ASSERT_TRUE(waitFor([pid] { return processEnded(pid); }, std::chrono::seconds(5)));
  EXPECT_FALSE(processGone(pid)) << "a zombie (not yet reaped) counted as gone";
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(processGone(pid));
  EXPECT_TRUE(processEnded(pid));
}

TEST(RunToCompletion, CapturesOutputAndStatus) {
  TempDir dir("twinlane-selftest");
  const auto done = runToCompletion({"/bin/sh", "-c", "printf abc; exit 0"}, dir.path(), "probe", 10s);
  EXPECT_TRUE(done.status.success());
  EXPECT_EQ(done.out, "abc");
}

TEST(HttpClient, ConnectionRefusedThrowsWithTheTarget) {
  const uint16_t port = pickFreeLoopbackPort();
  try {
    HttpClient(2s).get(port, "/nothing");
    FAIL() << "no exception for a closed port";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("127.0.0.1:" + std::to_string(port) + "/nothing"), std::string::npos)
        << error.what();
  }
}

std::string selfTestSite(uint16_t port) {
  return "server {\n"
         "  listen 127.0.0.1:" + std::to_string(port) + ";\n"
         "  default_type application/json;\n"
         "  location = /ok { return 200 '{\"status\":\"ok\"}'; }\n"
         "  location = /text { default_type text/plain; return 200 'plain'; }\n"
         "  location = /echo-method { return 200 '{\"method\":\"$request_method\"}'; }\n"
         "}\n";
}

class NginxServerTest : public ::testing::Test {
 protected:
  TempDir dir_{"twinlane-selftest"};
};

TEST_F(NginxServerTest, ServesOnAFreeLoopbackPortAndAnswersThroughHttpClient) {
  NginxServer nginx(dir_.file("nginx"), selfTestSite);
  ASSERT_GT(nginx.port(), 0);
  const HttpClient client;
  const auto ok = client.get(nginx.port(), "/ok");
  EXPECT_EQ(ok.status, 200) << ok.describe();
  EXPECT_EQ(ok.content_type, "application/json");
  EXPECT_EQ(ok.json()->getValue<std::string>("status"), "ok");
  EXPECT_LE(ok.sent, ok.received);

  const auto posted = client.post(nginx.port(), "/echo-method", "{}");
  EXPECT_EQ(posted.json()->getValue<std::string>("method"), "POST");

  const auto missing = client.get(nginx.port(), "/missing");
  EXPECT_EQ(missing.status, 404);

  const auto text = client.get(nginx.port(), "/text");
  EXPECT_THROW(text.json(), std::runtime_error);
  try {
    text.json();
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("plain"), std::string::npos) << "the body belongs in the message";
  }
  EXPECT_TRUE(nginx.stop().success());
  EXPECT_FALSE(loopbackPortAccepts(nginx.port()));
}

TEST_F(NginxServerTest, TwoServersGetDifferentPorts) {
  NginxServer first(dir_.file("first"), selfTestSite);
  NginxServer second(dir_.file("second"), selfTestSite);
  EXPECT_NE(first.port(), second.port());
  EXPECT_EQ(HttpClient().get(second.port(), "/ok").status, 200);
}

TEST_F(NginxServerTest, ABrokenSiteFailsWithNginxTestOutput) {
  try {
    NginxServer nginx(dir_.file("nginx"), [](uint16_t) { return std::string("server { bogus_directive on; }\n"); });
    FAIL() << "nginx started with a broken config";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("bogus_directive"), std::string::npos) << error.what();
  }
}

TEST(PoolStatus, ReadsLanesAndWorkers) {
  Poco::JSON::Parser parser;
  const auto json = parser.parse(R"({"lanes":{
      "fast":{"processes":1,"idle":1,"busy":0,"workers":[{"pid":10,"state":"idle","requests":3,"busy_ms":0,"uri":""}]},
      "slow":{"processes":2,"idle":1,"busy":1,"workers":[{"pid":11,"state":"idle","requests":0,"busy_ms":0,"uri":null},
                                                       {"pid":12,"state":"busy","requests":1,"busy_ms":5,"uri":"/api/v1/matrix"}]}}})")
                        .extract<Poco::JSON::Object::Ptr>();
  const auto pool = parsePoolStatus(json);
  EXPECT_TRUE(pool.ready());
  EXPECT_EQ(pool.lane("slow").pids(), (std::vector<pid_t>{11, 12}));
  ASSERT_EQ(pool.lane("slow").inState("busy").size(), 1u);
  EXPECT_EQ(pool.lane("slow").inState("busy").front().uri, "/api/v1/matrix");
  EXPECT_THROW(pool.lane("medium"), std::runtime_error);
}

}  // namespace
}  // namespace twinlane::test
