// SPDX-License-Identifier: Apache-2.0
// Dropping root: see privileges.h.
#include "pool/privileges.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace twinlane::pool {

void dropPrivileges(const Config& config, Poco::Logger& log) {
  if (config.user.empty() && config.group.empty()) return;
  if (::geteuid() != 0) {
    const passwd* self = ::getpwuid(::geteuid());
    if (self && config.user == self->pw_name) return;  // already the configured user (e.g. systemd's User=)
    log.warning("not started as root: staying user %d (user/group in the config apply only to root)",
                static_cast<int>(::geteuid()));
    return;
  }
  const passwd* user = config.user.empty() ? nullptr : ::getpwnam(config.user.c_str());
  if (!config.user.empty() && !user) throw ConfigError(config.source + ": user: '" + config.user + "' does not exist");
  gid_t gid = user ? user->pw_gid : 0;
  if (!config.group.empty()) {
    const group* grp = ::getgrnam(config.group.c_str());
    if (!grp) throw ConfigError(config.source + ": group: '" + config.group + "' does not exist");
    gid = grp->gr_gid;
  }
  const std::string user_name = config.user.empty() ? std::string("root") : config.user;
  std::string who = "user " + user_name;
  who += ", group " + std::to_string(gid);
  const auto fail = [&](const char* call) {
    std::string message = "cannot drop privileges to " + who;
    message += ": ";
    message += call;
    message += ": ";
    message += std::strerror(errno);
    throw std::runtime_error(message);
  };
  // Supplementary groups first, then the group, then the user: after setuid nothing else may change.
  if ((user ? ::initgroups(user->pw_name, gid) : ::setgroups(0, nullptr)) != 0) fail(user ? "initgroups" : "setgroups");
  if (::setgid(gid) != 0) fail("setgid");
  if (user && ::setuid(user->pw_uid) != 0) fail("setuid");
  log.notice("dropped privileges to user %s, group %d", user_name, static_cast<int>(gid));
}

}  // namespace twinlane::pool
