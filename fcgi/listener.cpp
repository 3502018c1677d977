// SPDX-License-Identifier: Apache-2.0
// Opening listening sockets: see listener.h.
#include "fcgi/listener.h"

#include <arpa/inet.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "fcgi/query.h"

namespace twinlane::fcgi {
namespace {

std::runtime_error systemError(const std::string& what, const ListenAddress& address, int error = errno) {
  return std::runtime_error(what + " " + address.toString() + ": " + std::strerror(error));
}

sockaddr_un unixAddress(const ListenAddress& address) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (address.path.size() >= sizeof addr.sun_path) {
    throw std::runtime_error("unix socket path " + address.path + " is longer than " +
                             std::to_string(sizeof addr.sun_path - 1) + " bytes");
  }
  std::memcpy(addr.sun_path, address.path.c_str(), address.path.size() + 1);
  return addr;
}

// A socket file nobody accepts on is left over from a crash and may be replaced.
void removeStaleSocket(const ListenAddress& address) {
  struct stat st {};
  if (::lstat(address.path.c_str(), &st) != 0) return;
  if (!S_ISSOCK(st.st_mode)) throw std::runtime_error(address.path + " exists and is not a socket");
  UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const sockaddr_un addr = unixAddress(address);
  if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) {
    throw std::runtime_error(address.path + " is in use by a running server");
  }
  if (::unlink(address.path.c_str()) != 0 && errno != ENOENT) throw systemError("cannot remove stale", address);
}

void applyAccess(const ListenAddress& address, const SocketAccess& access) {
  if (access.mode && ::chmod(address.path.c_str(), *access.mode) != 0) throw systemError("cannot chmod", address);
  if (access.owner.empty() && access.group.empty()) return;
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
  if (!access.owner.empty()) {
    const passwd* user = ::getpwnam(access.owner.c_str());
    if (!user) throw std::runtime_error("socket owner '" + access.owner + "' is not a user on this system");
    uid = user->pw_uid;
  }
  if (!access.group.empty()) {
    const group* grp = ::getgrnam(access.group.c_str());
    if (!grp) throw std::runtime_error("socket group '" + access.group + "' is not a group on this system");
    gid = grp->gr_gid;
  }
  if (::chown(address.path.c_str(), uid, gid) != 0) throw systemError("cannot chown", address);
}

UniqueFd openUnix(const ListenAddress& address, int backlog, const SocketAccess& access) {
  const sockaddr_un addr = unixAddress(address);
  removeStaleSocket(address);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) throw systemError("cannot create socket for", address);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    throw systemError("cannot bind", address);
  }
  applyAccess(address, access);
  if (::listen(fd.get(), backlog) != 0) throw systemError("cannot listen on", address);
  return fd;
}

UniqueFd openTcp(const ListenAddress& address, int backlog) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(address.port);
  if (const int rc = ::getaddrinfo(address.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    throw std::runtime_error("cannot resolve " + address.toString() + ": " + ::gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(found, ::freeaddrinfo);
  UniqueFd fd(::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) throw systemError("cannot create socket for", address);
  const int on = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (::bind(fd.get(), found->ai_addr, found->ai_addrlen) != 0) throw systemError("cannot bind", address);
  if (::listen(fd.get(), backlog) != 0) throw systemError("cannot listen on", address);
  return fd;
}

}  // namespace

ListenAddress ListenAddress::parse(std::string_view text) {
  ListenAddress address;
  if (text.starts_with("unix:")) text.remove_prefix(5);
  if (text.starts_with("/")) {
    address.path = std::string(text);
    return address;
  }
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    throw std::invalid_argument("'" + std::string(text) + "' is neither an absolute unix socket path nor host:port");
  }
  const auto port = parseDecimal(text.substr(colon + 1), 1, 65535);
  if (!port) throw std::invalid_argument("'" + std::string(text) + "' has no port from 1 to 65535");
  address.kind = Kind::kTcp;
  address.host = std::string(text.substr(0, colon));
  if (address.host.size() > 2 && address.host.front() == '[' && address.host.back() == ']') {
    address.host = address.host.substr(1, address.host.size() - 2);
  }
  address.port = static_cast<std::uint16_t>(*port);
  return address;
}

std::string ListenAddress::toString() const {
  if (kind == Kind::kUnix) return path;
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string ListenAddress::nginxForm() const { return kind == Kind::kUnix ? "unix:" + path : toString(); }

UniqueFd openListener(const ListenAddress& address, int backlog, const SocketAccess& access) {
  return address.kind == ListenAddress::Kind::kUnix ? openUnix(address, backlog, access) : openTcp(address, backlog);
}

int removeSocketFile(const ListenAddress& address) {
  if (address.kind != ListenAddress::Kind::kUnix || ::unlink(address.path.c_str()) == 0 || errno == ENOENT) return 0;
  return errno;
}

}  // namespace twinlane::fcgi
