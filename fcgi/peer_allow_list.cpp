// SPDX-License-Identifier: Apache-2.0
// Which peers may connect to a TCP lane: see peer_allow_list.h.
#include "fcgi/peer_allow_list.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>
#include <stdexcept>

namespace twinlane::fcgi {
namespace {

constexpr std::array<std::uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool prefixMatches(const std::uint8_t* a, const std::uint8_t* b, unsigned bits) {
  const unsigned whole = bits / 8;
  if (std::memcmp(a, b, whole) != 0) return false;
  const unsigned rest = bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace

PeerAllowList PeerAllowList::loopback() { return parse({"127.0.0.0/8", "::1"}); }

PeerAllowList PeerAllowList::parse(const std::vector<std::string>& entries) {
  PeerAllowList list;
  for (const auto& entry : entries) list.blocks_.push_back(parseBlock(entry));
  list.entries_ = entries;
  return list;
}

PeerAllowList::Block PeerAllowList::parseBlock(const std::string& entry) {
  const auto slash = entry.find('/');
  const std::string address = entry.substr(0, slash);
  Block block;
  if (::inet_pton(AF_INET, address.c_str(), block.address.data()) == 1) {
    block.family = AF_INET;
    block.prefix = 32;
  } else if (::inet_pton(AF_INET6, address.c_str(), block.address.data()) == 1) {
    block.family = AF_INET6;
    block.prefix = 128;
  } else {
    throw std::invalid_argument("'" + entry + "' is not an IPv4 or IPv6 address or CIDR block like 10.0.0.0/8");
  }
  if (slash != std::string::npos) {
    const std::string bits = entry.substr(slash + 1);
    unsigned prefix = 0;
    const auto [end, error] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
    if (bits.empty() || error != std::errc() || end != bits.data() + bits.size() || prefix > block.prefix) {
      throw std::invalid_argument("'" + entry + "': the prefix length must be 0.." + std::to_string(block.prefix));
    }
    block.prefix = prefix;
  }
  // ::ffff:a.b.c.d/N names IPv4 peers, and those are matched as IPv4 (see allows()).
  if (block.family == AF_INET6 && block.prefix >= 96 &&
      std::memcmp(block.address.data(), kMappedPrefix.data(), kMappedPrefix.size()) == 0) {
    std::memmove(block.address.data(), block.address.data() + kMappedPrefix.size(), 4);
    block.family = AF_INET;
    block.prefix -= 96;
  }
  return block;
}

bool PeerAllowList::allows(const sockaddr* peer) const {
  int family = peer->sa_family;
  const std::uint8_t* address = nullptr;
  if (family == AF_INET) {
    address = reinterpret_cast<const std::uint8_t*>(&reinterpret_cast<const sockaddr_in*>(peer)->sin_addr);
  } else if (family == AF_INET6) {
    address = reinterpret_cast<const std::uint8_t*>(&reinterpret_cast<const sockaddr_in6*>(peer)->sin6_addr);
    if (std::memcmp(address, kMappedPrefix.data(), kMappedPrefix.size()) == 0) {
      family = AF_INET;
      address += kMappedPrefix.size();
    }
  } else {
    return true;
  }
  for (const Block& block : blocks_) {
    if (block.family == family && prefixMatches(address, block.address.data(), block.prefix)) return true;
  }
  return false;
}

std::string peerAddressText(const sockaddr* peer) {
  char text[INET6_ADDRSTRLEN] = {};
  if (peer->sa_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(peer)->sin_addr, text, sizeof(text));
    return text;
  }
  if (peer->sa_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(peer)->sin6_addr, text, sizeof(text));
    return std::string("[") + text + "]";
  }
  return "unix";
}

}  // namespace twinlane::fcgi
