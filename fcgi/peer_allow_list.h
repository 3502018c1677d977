// SPDX-License-Identifier: Apache-2.0
// PeerAllowList: which peers may connect to a lane listening on TCP (lanes.L.allow), as
// php-fpm's listen.allowed_clients. Entries are addresses or CIDR blocks, IPv4 or IPv6
// ("10.0.0.0/8", "192.0.2.7", "fd00::/8", "::1"). A peer's IPv4-mapped IPv6 address
// (::ffff:192.0.2.7, from a dual-stack listener) is matched as the IPv4 address it is.
// Unix-socket peers are not addresses: the socket's owner, group and mode decide for them.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace twinlane::fcgi {

class PeerAllowList {
 public:
  // Loopback only: 127.0.0.0/8 and ::1.
  static PeerAllowList loopback();
  // Throws std::invalid_argument naming the entry that is not an address or a CIDR block.
  static PeerAllowList parse(const std::vector<std::string>& entries);

  // False for an IPv4 or IPv6 peer outside every block; true for any other family (unix).
  bool allows(const sockaddr* peer) const;
  const std::vector<std::string>& entries() const { return entries_; }

 private:
  struct Block {
    int family = AF_INET;  // AF_INET or AF_INET6
    std::array<std::uint8_t, 16> address{};
    unsigned prefix = 0;  // bits that must match
  };
  static Block parseBlock(const std::string& entry);
  std::vector<Block> blocks_;
  std::vector<std::string> entries_;
};

// "192.0.2.7", "[2001:db8::1]", "unix" for a log line; the port is left out (it changes with
// every connection, the peer does not).
std::string peerAddressText(const sockaddr* peer);

}  // namespace twinlane::fcgi
