// SPDX-License-Identifier: Apache-2.0
// lanes.L.allow: which peers may connect to a TCP lane.
#include "fcgi/peer_allow_list.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <stdexcept>
#include <string>

namespace twinlane::fcgi {
namespace {

sockaddr_storage peer(const std::string& address) {
  sockaddr_storage storage{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  if (::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    return storage;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) != 1) throw std::invalid_argument(address);
  v6->sin6_family = AF_INET6;
  return storage;
}

bool allows(const PeerAllowList& list, const std::string& address) {
  const sockaddr_storage storage = peer(address);
  return list.allows(reinterpret_cast<const sockaddr*>(&storage));
}

TEST(PeerAllowList, TheDefaultIsLoopbackOnly) {
  const PeerAllowList list = PeerAllowList::loopback();
  EXPECT_TRUE(allows(list, "127.0.0.1"));
  EXPECT_TRUE(allows(list, "127.255.0.9"));
  EXPECT_TRUE(allows(list, "::1"));
  EXPECT_TRUE(allows(list, "::ffff:127.0.0.1"));  // a dual-stack listener's view of 127.0.0.1
  EXPECT_FALSE(allows(list, "10.0.0.1"));
  EXPECT_FALSE(allows(list, "::2"));
  EXPECT_FALSE(allows(list, "::ffff:10.0.0.1"));
}

TEST(PeerAllowList, BlocksMatchTheirPrefixBitsOnly) {
  const PeerAllowList list = PeerAllowList::parse({"10.20.0.0/14", "192.0.2.7", "fd00:ab::/33"});
  EXPECT_TRUE(allows(list, "10.20.0.1"));
  EXPECT_TRUE(allows(list, "10.23.255.255"));
  EXPECT_FALSE(allows(list, "10.24.0.0"));
  EXPECT_TRUE(allows(list, "192.0.2.7"));
  EXPECT_FALSE(allows(list, "192.0.2.8"));
  EXPECT_TRUE(allows(list, "fd00:ab:7fff::1"));
  EXPECT_FALSE(allows(list, "fd00:ab:8000::1"));
  EXPECT_FALSE(allows(list, "127.0.0.1"));  // an explicit list replaces the default
  EXPECT_TRUE(allows(PeerAllowList::parse({"0.0.0.0/0"}), "203.0.113.5"));
  EXPECT_FALSE(allows(PeerAllowList::parse({}), "127.0.0.1"));
  // An IPv4-mapped entry names IPv4 peers, however they arrive.
  const PeerAllowList mapped = PeerAllowList::parse({"::ffff:192.0.2.0/120"});
  EXPECT_TRUE(allows(mapped, "192.0.2.77"));
  EXPECT_TRUE(allows(mapped, "::ffff:192.0.2.77"));
  EXPECT_FALSE(allows(mapped, "192.0.3.1"));
}

TEST(PeerAllowList, AUnixPeerIsNotAnAddressAndPasses) {
  sockaddr_un unix_peer{};
  unix_peer.sun_family = AF_UNIX;
  EXPECT_TRUE(PeerAllowList::parse({}).allows(reinterpret_cast<const sockaddr*>(&unix_peer)));
  EXPECT_EQ(peerAddressText(reinterpret_cast<const sockaddr*>(&unix_peer)), "unix");
}

TEST(PeerAllowList, ABadEntryIsNamed) {
  EXPECT_THROW(PeerAllowList::parse({"10.0.0.0/33"}), std::invalid_argument);
  EXPECT_THROW(PeerAllowList::parse({"::/129"}), std::invalid_argument);
  EXPECT_THROW(PeerAllowList::parse({"10.0.0.0/"}), std::invalid_argument);
  EXPECT_THROW(PeerAllowList::parse({"10.0.0.0/8x"}), std::invalid_argument);
  try {
    PeerAllowList::parse({"127.0.0.1", "example.org"});
    FAIL() << "a host name was taken";
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()), "'example.org' is not an IPv4 or IPv6 address or CIDR block like 10.0.0.0/8");
  }
}

TEST(PeerAllowList, PeersAreWrittenWithoutTheirPort) {
  const sockaddr_storage v4 = peer("192.0.2.7");
  const sockaddr_storage v6 = peer("2001:db8::1");
  EXPECT_EQ(peerAddressText(reinterpret_cast<const sockaddr*>(&v4)), "192.0.2.7");
  EXPECT_EQ(peerAddressText(reinterpret_cast<const sockaddr*>(&v6)), "[2001:db8::1]");
}

}  // namespace
}  // namespace twinlane::fcgi
