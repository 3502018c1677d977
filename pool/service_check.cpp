// SPDX-License-Identifier: Apache-2.0
// Checking a service's files as its user: see service_check.h.
#include "pool/service_check.h"

#include <Poco/Logger.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "fcgi/unique_fd.h"
#include "pool/exit_codes.h"
#include "pool/privileges.h"

namespace twinlane::pool {
namespace {

// In the child: drop, check, and write what went wrong (nothing when all is well) to `report`.
[[noreturn]] void checkInChild(const Config& config, int report) {
  std::string problem;
  try {
    Poco::Logger& quiet = Poco::Logger::get("twinlane.check-config");
    quiet.setLevel("none");  // "dropped privileges to ..." is the master's line, not a check's
    dropPrivileges(config, quiet);
    config.service->check();
  } catch (const std::exception& error) {
    problem = error.what();
    if (problem.empty()) problem = "the check failed";
  }
  std::size_t written = 0;
  while (written < problem.size()) {
    const ssize_t n = ::write(report, problem.data() + written, problem.size() - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  ::_exit(problem.empty() ? kExitOk : kExitFailure);
}

std::string readAll(int fd) {
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

}  // namespace

void checkServiceAsItsUser(const Config& config) {
  if (!config.service) return;
  if (::geteuid() != 0 || (config.user.empty() && config.group.empty())) {
    config.service->check();
    return;
  }
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) {
    const std::string reason = std::strerror(errno);
    throw ConfigError(config.source + ": cannot check the service's files as user " + config.user + ": pipe: " + reason);
  }
  UniqueFd read_end(ends[0]);
  UniqueFd write_end(ends[1]);
  const pid_t child = ::fork();
  if (child < 0) {
    const std::string reason = std::strerror(errno);
    throw ConfigError(config.source + ": cannot check the service's files as user " + config.user + ": fork: " + reason);
  }
  if (child == 0) {
    read_end.reset();
    checkInChild(config, write_end.get());
  }
  write_end.reset();
  const std::string problem = readAll(read_end.get());
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!problem.empty()) throw ConfigError(problem);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != kExitOk) {
    throw ConfigError(config.source + ": checking the service's files as user " + config.user + " failed (" +
                      describeWaitStatus(status) + ")");
  }
}

}  // namespace twinlane::pool
