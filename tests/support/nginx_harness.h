// SPDX-License-Identifier: Apache-2.0
// Debian's nginx under a private prefix (a TempDir), listening on a free 127.0.0.1 port.
// Owns the nginx master process (and through it its workers) and the files it writes under
// the prefix: nginx.conf, the site snippet, logs, temp paths. Knows nothing of twinlane: the
// caller renders the http-context site for the port it is given.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "child_process.h"

namespace twinlane::test {

inline constexpr const char* kNginxBinary = "/usr/sbin/nginx";

// Binds 127.0.0.1:0, reads the port the kernel chose and closes the socket.
uint16_t pickFreeLoopbackPort();

class NginxServer {
 public:
  // Renders the http-context snippet (upstreams, server block listening on 127.0.0.1:port).
  using SiteRenderer = std::function<std::string(uint16_t port)>;

  // Writes the config under `prefix`, checks it with `nginx -t` (throws with its output),
  // starts nginx in the foreground and waits until the port accepts connections. A port taken
  // between picking and binding (EADDRINUSE) means another port and another try.
  NginxServer(const std::filesystem::path& prefix, const SiteRenderer& render_site,
              std::chrono::milliseconds ready_deadline = std::chrono::seconds{15});
  // stop() if not stopped yet.
  ~NginxServer();
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return process_->pid(); }
  std::filesystem::path errorLogPath() const { return prefix_ / "nginx-error.log"; }
  std::string errorLog() const;
  std::string accessLog() const;

  // Graceful stop (QUIT), then TERM after 10 s; the ChildProcess destructor does KILL and reaps.
  ExitStatus stop();

 private:
  bool tryStart(const SiteRenderer& render_site, std::chrono::milliseconds ready_deadline);

  std::filesystem::path prefix_;
  uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// The nginx.conf wrapping an http-context snippet for a non-root prefix.
std::string nginxMainConfig(const std::filesystem::path& prefix, const std::filesystem::path& site_file);

// True if a TCP connection to 127.0.0.1:port succeeds right now.
bool loopbackPortAccepts(uint16_t port);

}  // namespace twinlane::test
