// SPDX-License-Identifier: Apache-2.0
// Listeners: address parsing, socket modes, and refusing to steal a live socket.
#include "fcgi/listener.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>

namespace twinlane::fcgi {
namespace {

TEST(ListenAddressTest, ParsesUnixAndTcpForms) {
  EXPECT_EQ(ListenAddress::parse("/run/twinlane/slow.sock").nginxForm(), "unix:/run/twinlane/slow.sock");
  EXPECT_EQ(ListenAddress::parse("unix:/tmp/a.sock").path, "/tmp/a.sock");
  const ListenAddress tcp = ListenAddress::parse("127.0.0.1:9001");
  EXPECT_EQ(tcp.kind, ListenAddress::Kind::kTcp);
  EXPECT_EQ(tcp.port, 9001);
  EXPECT_EQ(ListenAddress::parse("[::1]:9001").toString(), "[::1]:9001");
  for (const char* bad : {"relative.sock", "127.0.0.1", "host:0", "host:65536", "host:x", ":80"}) {
    EXPECT_THROW(ListenAddress::parse(bad), std::invalid_argument) << bad;
  }
}

class ListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/twinlane-listener-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(ListenerTest, UnixSocketGetsItsModeAndReplacesAStaleFile) {
  const ListenAddress address = ListenAddress::parse(dir_ + "/a.sock");
  {
    UniqueFd first = openListener(address, 8, {"", "", 0600});
    struct stat st {};
    ASSERT_EQ(::stat(address.path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    // While it listens, nobody else may take the path.
    EXPECT_THROW(openListener(address, 8, {}), std::runtime_error);
  }
  // Closed but not removed: a stale file, as after a crash. It is replaced.
  UniqueFd second = openListener(address, 8, {"", "", 0666});
  EXPECT_TRUE(second.valid());
  removeSocketFile(address);
  EXPECT_FALSE(std::filesystem::exists(address.path));
}

TEST_F(ListenerTest, RefusesAPathThatIsNotASocket) {
  const std::string path = dir_ + "/plain-file";
  { std::FILE* f = std::fopen(path.c_str(), "w"); std::fclose(f); }
  EXPECT_THROW(openListener(ListenAddress::parse(path), 8, {}), std::runtime_error);
}

TEST_F(ListenerTest, UnknownOwnerIsAnError) {
  try {
    openListener(ListenAddress::parse(dir_ + "/b.sock"), 8, {"no-such-user-twinlane", "", std::nullopt});
    FAIL();
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("no-such-user-twinlane"), std::string::npos);
  }
}

}  // namespace
}  // namespace twinlane::fcgi
