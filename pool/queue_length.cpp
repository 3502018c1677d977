// SPDX-License-Identifier: Apache-2.0
// Reading backlog lengths through sock_diag: see queue_length.h.
#include "pool/queue_length.h"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "fcgi/unique_fd.h"

namespace twinlane::pool {
namespace {

constexpr unsigned kListenState = 10;  // TCP_LISTEN, also used for listening unix sockets

// Sends one sock_diag dump request (a unix_diag_req or an inet_diag_req_v2) to the kernel.
template <typename DiagRequest>
bool sendDumpRequest(int fd, const DiagRequest& request) {
  struct {
    nlmsghdr header;
    DiagRequest request;
  } packet{};
  packet.header.nlmsg_len = sizeof packet;
  packet.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  packet.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  packet.request = request;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  iovec iov{&packet, sizeof packet};
  msghdr message{};
  message.msg_name = &kernel;
  message.msg_namelen = sizeof kernel;
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  return ::sendmsg(fd, &message, 0) == static_cast<ssize_t>(sizeof packet);
}

// Reads the dump's replies and hands each payload to `match`, until it returns a value or the
// dump ends.
template <typename Match>
std::optional<std::uint32_t> readReplies(int fd, Match match) {
  alignas(nlmsghdr) char buffer[16384];
  while (true) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return std::nullopt;
    std::size_t left = static_cast<std::size_t>(n);
    for (auto* header = reinterpret_cast<nlmsghdr*>(buffer); NLMSG_OK(header, left); header = NLMSG_NEXT(header, left)) {
      if (header->nlmsg_type == NLMSG_DONE || header->nlmsg_type == NLMSG_ERROR) return std::nullopt;
      if (const auto found = match(header)) return found;
    }
  }
}

std::optional<std::uint32_t> unixQueueLength(int fd, ino_t inode) {
  unix_diag_req request{};
  request.sdiag_family = AF_UNIX;
  request.udiag_states = 1u << kListenState;
  request.udiag_show = UDIAG_SHOW_RQLEN;
  if (!sendDumpRequest(fd, request)) return std::nullopt;

  return readReplies(fd, [inode](nlmsghdr* header) -> std::optional<std::uint32_t> {
    const auto* reply = static_cast<const unix_diag_msg*>(NLMSG_DATA(header));
    if (reply->udiag_ino != inode) return std::nullopt;
    int attributes_left = static_cast<int>(header->nlmsg_len - NLMSG_LENGTH(sizeof *reply));
    for (auto* attribute = reinterpret_cast<rtattr*>(const_cast<unix_diag_msg*>(reply) + 1);
         RTA_OK(attribute, attributes_left); attribute = RTA_NEXT(attribute, attributes_left)) {
      if (attribute->rta_type == UNIX_DIAG_RQLEN) {
        unix_diag_rqlen rqlen{};
        std::memcpy(&rqlen, RTA_DATA(attribute), sizeof rqlen);
        return rqlen.udiag_rqueue;  // for a listener: connections waiting to be accepted
      }
    }
    return std::nullopt;
  });
}

std::optional<std::uint32_t> tcpQueueLength(int fd, ino_t inode, int family) {
  inet_diag_req_v2 request{};
  request.sdiag_family = static_cast<std::uint8_t>(family);
  request.sdiag_protocol = IPPROTO_TCP;
  request.idiag_states = 1u << kListenState;
  if (!sendDumpRequest(fd, request)) return std::nullopt;

  return readReplies(fd, [inode](nlmsghdr* header) -> std::optional<std::uint32_t> {
    const auto* reply = static_cast<const inet_diag_msg*>(NLMSG_DATA(header));
    if (reply->idiag_inode != inode) return std::nullopt;
    return reply->idiag_rqueue;  // for a listener: the accept queue's length
  });
}

}  // namespace

std::optional<std::uint32_t> queueLength(const fcgi::ListenAddress& address, ino_t inode) {
  if (inode == 0) return std::nullopt;
  const UniqueFd fd(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (!fd) return std::nullopt;
  if (address.kind == fcgi::ListenAddress::Kind::kUnix) return unixQueueLength(fd.get(), inode);
  if (const auto length = tcpQueueLength(fd.get(), inode, AF_INET)) return length;
  const UniqueFd fd6(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  return fd6 ? tcpQueueLength(fd6.get(), inode, AF_INET6) : std::nullopt;
}

ino_t socketInode(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? st.st_ino : 0;
}

}  // namespace twinlane::pool
