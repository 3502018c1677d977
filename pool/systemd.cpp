// SPDX-License-Identifier: Apache-2.0
// Socket activation and readiness notification: see systemd.h.
#include "pool/systemd.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <arpa/inet.h>

namespace twinlane::pool {
namespace {

// The address a passed socket is bound to, in the form the config uses, so a lane can find its
// socket by its `listen` value.
std::optional<fcgi::ListenAddress> boundAddress(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return std::nullopt;
  char host[INET6_ADDRSTRLEN] = {};
  switch (storage.ss_family) {
    case AF_UNIX: {
      const auto* unix_address = reinterpret_cast<const sockaddr_un*>(&storage);
      return fcgi::ListenAddress::parse(unix_address->sun_path);
    }
    case AF_INET: {
      const auto* inet = reinterpret_cast<const sockaddr_in*>(&storage);
      ::inet_ntop(AF_INET, &inet->sin_addr, host, sizeof host);
      return fcgi::ListenAddress::parse(std::string(host) + ":" + std::to_string(ntohs(inet->sin_port)));
    }
    case AF_INET6: {
      const auto* inet6 = reinterpret_cast<const sockaddr_in6*>(&storage);
      ::inet_ntop(AF_INET6, &inet6->sin6_addr, host, sizeof host);
      std::string text = "[";  // built by appending: GCC 12 at -O3 warns falsely on "[" + string (bug 105329)
      text.append(host).append("]:").append(std::to_string(ntohs(inet6->sin6_port)));
      return fcgi::ListenAddress::parse(text);
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

std::vector<InheritedSocket> takeInheritedSockets() {
  std::vector<InheritedSocket> sockets;
  const int count = ::sd_listen_fds(/*unset_environment=*/1);
  for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + std::max(count, 0); ++fd) {
    UniqueFd owned(fd);
    const auto address = boundAddress(fd);
    if (!address || ::sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, /*listening=*/1) <= 0) continue;
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    sockets.push_back({*address, std::move(owned)});
  }
  return sockets;
}

void notifySystemd(const std::string& state) { ::sd_notify(/*unset_environment=*/0, state.c_str()); }

}  // namespace twinlane::pool
