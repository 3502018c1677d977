// SPDX-License-Identifier: Apache-2.0
// What the pool reads from the kernel: backlog lengths (sock_diag) and private memory.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <vector>

#include "fcgi/listener.h"
#include "pool/process_memory.h"
#include "pool/queue_length.h"

namespace twinlane::pool {
namespace {

UniqueFd connectTo(const fcgi::ListenAddress& address, std::uint16_t port) {
  if (address.kind == fcgi::ListenAddress::Kind::kUnix) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, address.path.c_str());
    EXPECT_EQ(::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
    return fd;
  }
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
  return fd;
}

TEST(QueueLengthTest, CountsUnixConnectionsNobodyAccepted) {
  char dir[] = "/tmp/twinlane-queue-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const auto address = fcgi::ListenAddress::parse(std::string(dir) + "/q.sock");
  {
    const UniqueFd listener = fcgi::openListener(address, 16, {});
    const ino_t inode = socketInode(listener.get());
    EXPECT_EQ(queueLength(address, inode), 0u);
    std::vector<UniqueFd> waiting;
    for (int i = 0; i < 3; ++i) waiting.push_back(connectTo(address, 0));
    EXPECT_EQ(queueLength(address, inode), 3u);
    UniqueFd accepted(::accept(listener.get(), nullptr, nullptr));
    EXPECT_EQ(queueLength(address, inode), 2u);
  }
  std::filesystem::remove_all(dir);
}

TEST(QueueLengthTest, CountsTcpConnectionsNobodyAccepted) {
  // Port 0 is refused by the config parser, so bind an ephemeral port by hand and read it back.
  UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener.get(), 16), 0);
  socklen_t length = sizeof addr;
  ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &length);
  const auto address = fcgi::ListenAddress::parse("127.0.0.1:" + std::to_string(ntohs(addr.sin_port)));
  std::vector<UniqueFd> waiting;
  for (int i = 0; i < 2; ++i) waiting.push_back(connectTo(address, address.port));
  EXPECT_EQ(queueLength(address, socketInode(listener.get())), 2u);
}

TEST(QueueLengthTest, UnknownInodeHasNoLength) {
  EXPECT_FALSE(queueLength(fcgi::ListenAddress::parse("/nonexistent.sock"), 1).has_value());
  EXPECT_FALSE(queueLength(fcgi::ListenAddress::parse("/nonexistent.sock"), 0).has_value());
}

TEST(ProcessMemoryTest, PrivateMemoryGrowsWithTouchedPagesAndNotWithShared) {
  const auto before = readProcessMemory(0);
  ASSERT_TRUE(before.has_value());
  std::vector<char> block(64 << 20);
  std::memset(block.data(), 1, block.size());
  const auto after = readProcessMemory(0);
  ASSERT_TRUE(after.has_value());
  EXPECT_GE(after->private_bytes, before->private_bytes + (60u << 20));
  EXPECT_GE(after->rss, after->private_bytes);
  EXPECT_FALSE(readProcessMemory(999'999'999).has_value());
}

}  // namespace
}  // namespace twinlane::pool
