// SPDX-License-Identifier: Apache-2.0
// NginxServer: config under a private prefix, nginx -t, start, readiness, QUIT/TERM by pid.
#include "nginx_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "temp_dir.h"
#include "wait_for.h"

namespace twinlane::test {
namespace {

constexpr int kStartAttempts = 5;
constexpr std::chrono::milliseconds kQuitGrace{10'000};
constexpr std::chrono::milliseconds kTermGrace{5'000};

class SocketFd {
 public:
  SocketFd() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) throw std::runtime_error(std::string("socket(AF_INET): ") + std::strerror(errno));
  }
  ~SocketFd() { ::close(fd_); }
  SocketFd(const SocketFd&) = delete;
  SocketFd& operator=(const SocketFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

sockaddr_in loopback(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

}  // namespace

uint16_t pickFreeLoopbackPort() {
  SocketFd fd;
  auto address = loopback(0);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error(std::string("bind(127.0.0.1:0): ") + std::strerror(errno));
  }
  socklen_t length = sizeof address;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error(std::string("getsockname: ") + std::strerror(errno));
  }
  return ntohs(address.sin_port);
}

bool loopbackPortAccepts(uint16_t port) {
  SocketFd fd;
  auto address = loopback(port);
  return ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
}

std::string nginxMainConfig(const std::filesystem::path& prefix, const std::filesystem::path& site_file) {
  const std::string dir = prefix.string();
  std::string conf;
  // As root nginx would run its workers as "nobody", who cannot enter a mkdtemp directory
  // (mode 0700) to reach the lane sockets; keep them as the user running the test.
  if (::geteuid() == 0) {
    const passwd* user = ::getpwuid(::geteuid());
    conf += "user " + std::string(user != nullptr ? user->pw_name : "root") + ";\n";
  }
  conf += "daemon off;\n"
          "master_process on;\n"
          "worker_processes 1;\n"
          "pid " + dir + "/nginx.pid;\n"
          "error_log " + dir + "/nginx-error.log info;\n"
          "events { worker_connections 1024; }\n"
          "http {\n"
          "  access_log " + dir + "/access.log;\n"
          "  client_body_temp_path " + dir + "/client_body;\n"
          "  fastcgi_temp_path " + dir + "/fastcgi_temp;\n"
          "  proxy_temp_path " + dir + "/proxy_temp;\n"
          "  uwsgi_temp_path " + dir + "/uwsgi_temp;\n"
          "  scgi_temp_path " + dir + "/scgi_temp;\n"
          "  include " + site_file.string() + ";\n"
          "}\n";
  return conf;
}

NginxServer::NginxServer(const std::filesystem::path& prefix, const SiteRenderer& render_site,
                         std::chrono::milliseconds ready_deadline)
    : prefix_(prefix) {
  for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
    if (tryStart(render_site, ready_deadline)) return;
  }
  throw std::runtime_error("nginx could not bind a free port in " + std::to_string(kStartAttempts) +
                           " attempts; error log:\n" + errorLog());
}

bool NginxServer::tryStart(const SiteRenderer& render_site, std::chrono::milliseconds ready_deadline) {
  port_ = pickFreeLoopbackPort();
  const auto site_file = prefix_ / "twinlane-site.conf";
  const auto conf_file = prefix_ / "nginx.conf";
  std::filesystem::create_directories(prefix_);
  const std::string site = render_site(port_);
  writeFile(site_file, site);
  writeFile(conf_file, nginxMainConfig(prefix_, site_file));
  const std::string error_log = errorLogPath().string();
  const auto check = runToCompletion({kNginxBinary, "-t", "-p", prefix_.string(), "-c", conf_file.string(), "-e", error_log},
                                     prefix_, "nginx-t", std::chrono::seconds{15});
  if (!check.status.success()) {
    throw std::runtime_error("nginx -t rejected " + conf_file.string() + " (" + check.status.describe() + "):\n" +
                             check.out + check.err + "\n--- nginx.conf ---\n" + readFile(conf_file) +
                             "--- twinlane-site.conf ---\n" + site);
  }
  const auto log_offset = readFile(errorLogPath()).size();
  process_ = std::make_unique<ChildProcess>(ChildProcess::Options{
      {kNginxBinary, "-p", prefix_.string(), "-c", conf_file.string(), "-e", error_log}, {}, prefix_ / "nginx.out", {}});
  bool exited = false;
  const bool ready = waitFor(
      [&] {
        if (!process_->running()) {
          exited = true;
          return true;
        }
        return loopbackPortAccepts(port_);
      },
      ready_deadline);
  if (ready && !exited) return true;
  const std::string log = readFile(errorLogPath()).substr(log_offset) + process_->readLog();
  if (exited && log.find("Address already in use") != std::string::npos) {
    process_.reset();
    return false;
  }
  const std::string why = exited ? "nginx exited (" + process_->waitExit(std::chrono::milliseconds{0})->describe() + ")"
                                 : "nginx did not accept on 127.0.0.1:" + std::to_string(port_) + " within " +
                                       std::to_string(ready_deadline.count()) + " ms";
  process_.reset();
  throw std::runtime_error(why + "; it wrote:\n" + log);
}

NginxServer::~NginxServer() {
  if (process_) stop();
}

ExitStatus NginxServer::stop() {
  if (auto status = process_->waitExit(std::chrono::milliseconds{0})) return *status;
  process_->signal(SIGQUIT);
  if (auto status = process_->waitExit(kQuitGrace)) return *status;
  process_->signal(SIGTERM);
  if (auto status = process_->waitExit(kTermGrace)) return *status;
  process_->signal(SIGKILL);
  return *process_->waitExit(std::chrono::seconds{60});
}

std::string NginxServer::errorLog() const { return readFile(errorLogPath()); }

std::string NginxServer::accessLog() const { return readFile(prefix_ / "access.log"); }

}  // namespace twinlane::test
