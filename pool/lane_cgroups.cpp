// SPDX-License-Identifier: Apache-2.0
// A cgroup v2 child per lane: see lane_cgroups.h.
#include "pool/lane_cgroups.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <Poco/String.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

namespace twinlane::pool {
namespace {

constexpr long kCpuPeriodMicros = 100'000;  // the kernel's default cpu.max period
constexpr unsigned kKernelDefaultWeight = 100;

std::string readText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// "" on success, else what failed with the path and errno's words.
std::string writeText(const std::string& path, std::string_view text) {
  const UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return path + ": " + std::strerror(errno);
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return std::string("writing '").append(text).append("' to ").append(path).append(": ").append(std::strerror(errno));
  }
  return "";
}

std::string makeDirectory(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) == 0 || errno == EEXIST) return "";
  return std::string("mkdir ").append(path).append(": ").append(std::strerror(errno));
}

bool xattrSaysDelegated(const std::string& directory, const char* name) {
  char value[8] = {};
  const ssize_t length = ::getxattr(directory.c_str(), name, value, sizeof(value));
  return length == 1 && value[0] == '1';
}

// systemd marks a cgroup it delegates with the trusted.delegate extended attribute (and
// user.delegate, which an unprivileged service can read), and hands a service that runs as its
// own user the ownership of the directory. Anything else is systemd's (or another manager's)
// to arrange: we create nothing there.
bool isDelegated(const std::string& directory) {
  if (xattrSaysDelegated(directory, "trusted.delegate") || xattrSaysDelegated(directory, "user.delegate")) return true;
  struct stat status {};
  return ::geteuid() != 0 && ::stat(directory.c_str(), &status) == 0 && status.st_uid == ::geteuid();
}

// The other processes in `directory` itself (not below it), as "123, 456"; "" when the caller
// is alone there, as a service's main process is in the cgroup systemd made for it.
std::string otherProcesses(const std::string& directory) {
  std::istringstream pids(readText(directory + "/cgroup.procs"));
  std::string others;
  for (std::string pid; pids >> pid;) {
    if (pid == std::to_string(::getpid())) continue;
    if (!others.empty()) others += ", ";
    others += pid;
  }
  return others;
}

// What the config asked of cgroups, for the line that says it cannot be had.
std::string requestedSettings(const Config& config) {
  std::string settings;
  for (const Lane lane : kLanes) {
    const LaneConfig& lane_config = config.lane(lane);
    std::string prefix = " lanes.";
    prefix += laneName(lane);
    prefix += ".cpu.";
    if (lane_config.cpu_weight != 0) settings += prefix + "weight";
    if (lane_config.cpu_max != 0) settings += prefix + "max";
  }
  return settings.empty() ? settings : std::string("; not applied:").append(settings);
}

}  // namespace

LaneCgroups LaneCgroups::setUp(const Config& config, Poco::Logger& log) {
  const std::string fallback =
      std::string("the lanes share the master's cgroup, ordered by nice and scheduler only").append(requestedSettings(config));
  const auto path = unifiedCgroupPath(readText("/proc/self/cgroup"));
  if (!path) {
    log.information("cgroup v2 is absent: %s", fallback);
    return {};
  }
  const auto directory = cgroupDirectory(readText("/proc/self/mountinfo"), *path);
  if (!directory) {
    log.information("cgroup v2 is not mounted where the master can see its cgroup %s: %s", *path, fallback);
    return {};
  }
  if (!isDelegated(*directory)) {
    log.information("cgroup %s is not delegated to twinlane (systemd: Delegate=yes): %s", *directory, fallback);
    return {};
  }
  // A user's own cgroup (a terminal's scope, say) is theirs, not twinlane's: with a shell in it,
  // moving the master aside and enabling the cpu controller would fail halfway anyway.
  if (const std::string others = otherProcesses(*directory); !others.empty()) {
    log.information("cgroup %s holds other processes than the master (%s), so it is not twinlane's alone: %s",
                    *directory, others, fallback);
    return {};
  }

  LaneCgroups cgroups;
  std::string failure = makeDirectory(*directory + "/master");
  if (failure.empty()) failure = writeText(*directory + "/master/cgroup.procs", std::to_string(::getpid()));
  for (const Lane lane : kLanes) {
    if (!failure.empty()) break;
    const std::string lane_directory = std::string(*directory).append("/").append(laneName(lane));
    failure = makeDirectory(lane_directory);
    if (!failure.empty()) break;
    const std::string procs = lane_directory + "/cgroup.procs";
    cgroups.procs_[laneIndex(lane)].reset(::open(procs.c_str(), O_WRONLY | O_CLOEXEC));
    if (!cgroups.procs_[laneIndex(lane)]) failure = procs + ": " + std::strerror(errno);
  }
  if (!failure.empty()) {
    log.warning("cannot give the lanes cgroups of their own in the delegated %s (%s): %s", *directory, failure, fallback);
    return {};
  }
  cgroups.root_ = *directory;

  const std::string controllers = readText(*directory + "/cgroup.controllers");
  if (!offersController(controllers, "cpu")) {
    log.warning("the cpu controller is not offered to %s (it offers: %s; on a hybrid v1/v2 layout it belongs to "
                "cgroup v1): the lanes have cgroups of their own but no cpu.weight or cpu.max%s",
                *directory, controllers.empty() ? std::string("nothing") : Poco::trim(controllers),
                requestedSettings(config));
    return cgroups;
  }
  failure = writeText(*directory + "/cgroup.subtree_control", "+cpu");
  if (!failure.empty()) {
    log.warning("cannot enable the cpu controller below %s (%s; another process left in it?): no cpu.weight or "
                "cpu.max%s", *directory, failure, requestedSettings(config));
    return cgroups;
  }
  cgroups.cpu_controlled_ = true;
  return cgroups;
}

void LaneCgroups::apply(const Config& config, Poco::Logger& log) const {
  if (!active()) return;
  for (const Lane lane : kLanes) {
    const LaneConfig& lane_config = config.lane(lane);
    const std::string directory = laneDirectory(lane);
    if (!cpu_controlled_) {
      log.notice("%s lane: cgroup %s", std::string(laneName(lane)), directory);
      continue;
    }
    const unsigned weight = lane_config.cpu_weight != 0 ? lane_config.cpu_weight : kKernelDefaultWeight;
    const std::string cpu_max = cpuMaxValue(lane_config.cpu_max);
    std::string failure = writeText(directory + "/cpu.weight", std::to_string(weight));
    if (failure.empty()) failure = writeText(directory + "/cpu.max", cpu_max);
    if (!failure.empty()) {
      log.warning("%s lane: cannot set its cpu share: %s", std::string(laneName(lane)), failure);
      continue;
    }
    log.notice("%s lane: cgroup %s, cpu.weight %u, cpu.max %s", std::string(laneName(lane)), directory, weight, cpu_max);
  }
}

std::string LaneCgroups::laneDirectory(Lane lane) const {
  return active() ? std::string(root_).append("/").append(laneName(lane)) : std::string();
}

std::string LaneCgroups::moveWorker(Lane lane, pid_t pid) const {
  if (!active()) return "";
  const std::string text = std::to_string(pid);
  if (::write(procsFd(lane), text.data(), text.size()) == static_cast<ssize_t>(text.size())) return "";
  return laneDirectory(lane) + "/cgroup.procs: " + std::strerror(errno);
}

std::optional<std::string> unifiedCgroupPath(std::string_view proc_cgroup) {
  std::istringstream lines{std::string(proc_cgroup)};
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  }
  return std::nullopt;
}

// A mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER".
// Paths there escape space, tab, newline and backslash as octal (\040); cgroup paths and
// mount points with those are not ours to support, so they are compared as written.
std::optional<std::string> cgroupDirectory(std::string_view mountinfo, std::string_view cgroup_path) {
  std::istringstream lines{std::string(mountinfo)};
  std::string line;
  while (std::getline(lines, line)) {
    const auto separator = line.find(" - ");
    if (separator == std::string::npos) continue;
    std::istringstream after(line.substr(separator + 3));
    std::string fstype;
    after >> fstype;
    if (fstype != "cgroup2") continue;
    std::istringstream before(line.substr(0, separator));
    std::string id, parent, device, root, mount_point;
    if (!(before >> id >> parent >> device >> root >> mount_point)) continue;
    if (root == "/") root.clear();
    const bool inside = cgroup_path.substr(0, root.size()) == root &&
                        (cgroup_path.size() == root.size() || cgroup_path[root.size()] == '/');
    if (!inside) continue;
    std::string_view below = cgroup_path.substr(root.size());  // "" or "/a/b"
    if (below == "/") below = "";
    if (mount_point == "/") return below.empty() ? mount_point : std::string(below);
    return mount_point.append(below);
  }
  return std::nullopt;
}

std::string cpuMaxValue(double cpus) {
  const std::string period = std::to_string(kCpuPeriodMicros);
  if (cpus <= 0) return std::string("max ").append(period);
  const auto quota = std::llround(cpus * static_cast<double>(kCpuPeriodMicros));
  return std::to_string(quota).append(" ").append(period);
}

bool offersController(std::string_view controllers, std::string_view controller) {
  std::istringstream words{std::string(controllers)};
  std::string word;
  while (words >> word) {
    if (word == controller) return true;
  }
  return false;
}

}  // namespace twinlane::pool
